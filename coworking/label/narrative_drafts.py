"""« Proposer un brouillon »: plain sentences built from the period's real figures.

Deterministic (same data, same text) and local: nothing is asked of any outside service. The
sentences are in the current locale (French, or English for an English dossier); the applicant
edits them before saving.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from coworking.extensions import db
from coworking.label.action_plan import action_plan
from coworking.label.readiness import evaluate
from coworking.partners.models import Partner
from coworking.periods import Period
from coworking.space.models import SpaceProfile
from coworking.stats.definitions import format_value
from coworking.stats.indicators import compute_indicators

__all__ = ["draft_text", "long_date"]


def long_date(day: date, lang: str) -> str:
    """Write a date in full: « 1er décembre 2025 » in French, « 1 December 2025 » in English."""
    if lang == "fr" and day.day == 1:
        return "1er " + format_date(day, "MMMM y")
    return format_date(day, "d MMMM y")


def draft_text(key: str, period: Period, lang: str) -> str:
    """Return a draft of a section from the period's figures, in the current locale."""
    profile = db.session.scalar(select(SpaceProfile).order_by(SpaceProfile.id).limit(1))
    name = (profile.name if profile else "") or _("notre espace")
    v = compute_indicators(period)

    def n(key: str) -> str:
        return format_value(key, v.get(key), lang)

    start, end = long_date(period.start, lang), long_date(period.end, lang)
    builders = {
        "project": _project,
        "history": _history,
        "values": _values,
        "experimentation": _experimentation,
        "action_plan": _action_plan,
        "perspectives": _perspectives,
    }
    build = builders.get(key)
    if build is None:
        return ""
    return (
        build(
            {"name": name, "start": start, "end": end, "profile": profile, "n": n, "v": v},
            period,
            lang,
        ).strip()
        + "\n"
    )


def _project(c: dict[str, Any], _period: Period, _lang: str) -> str:
    n, profile = c["n"], c["profile"]
    city = (profile.city if profile else "") or ""
    lines = [
        _(
            "Du %(start)s au %(end)s, %(name)s a organisé %(events)s événements, dont "
            "%(workshops)s ateliers et formations, et accueilli %(days)s journées de coworking.",
            start=c["start"],
            end=c["end"],
            name=c["name"],
            events=n("events_held"),
            workshops=n("events_workshops_trainings"),
            days=n("checkins_visitor_days"),
        ),
        "",
        _(
            "Le lieu s'adresse à tous ceux qui travaillent, apprennent ou entreprennent avec le "
            "numérique%(city)s : %(members)s membres actifs, de %(categories)s catégories "
            "professionnelles, et %(attendees)s personnes différentes venues aux événements.",
            city=(_(" à %(city)s", city=city) if city else ""),
            members=n("members_active"),
            categories=n("profession_categories"),
            attendees=n("attendees_unique"),
        ),
    ]
    return "\n".join(lines)


def _history(c: dict[str, Any], _period: Period, lang: str) -> str:
    profile = c["profile"]
    founders = list(
        db.session.scalars(
            select(Partner.name)
            .where(Partner.founding_member.is_(True))
            .order_by(Partner.since, Partner.name)
        )
    )
    lines = []
    if profile and profile.founded_on:
        lines.append(
            _(
                "%(name)s a été créé le %(day)s%(form)s.",
                name=c["name"],
                day=long_date(profile.founded_on, lang),
                form=(
                    _(" (forme juridique : %(form)s)", form=profile.legal_form)
                    if profile.legal_form
                    else ""
                ),
            )
        )
    if founders:
        lines.append(_("Ses partenaires fondateurs : %(names)s.", names=", ".join(founders)))
    lines.append(
        ngettext(
            "Du %(start)s au %(end)s, le lieu a compté %(partners)s partenaires actifs et "
            "tenu %(num)s assemblée générale.",
            "Du %(start)s au %(end)s, le lieu a compté %(partners)s partenaires actifs et "
            "tenu %(num)s assemblées générales.",
            int(c["v"].get("general_assemblies") or 0),
            start=c["start"],
            end=c["end"],
            partners=c["n"]("partners_active"),
        )
    )
    return "\n\n".join(lines)


def _values(c: dict[str, Any], _period: Period, _lang: str) -> str:
    n = c["n"]
    return "\n\n".join(
        [
            "**"
            + _("Partage")
            + "** — "
            + _(
                "%(members)s membres actifs, %(attendees)s participants uniques aux événements, "
                "dont %(returning)s sont revenus au moins deux fois.",
                members=n("members_active"),
                attendees=n("attendees_unique"),
                returning=n("attendees_returning_share"),
            ),
            "**"
            + _("Ouverture")
            + "** — "
            + _(
                "%(public)s des événements sont ouverts au public et %(free)s sont gratuits ; "
                "l'espace est ouvert %(days)s jours par semaine.",
                public=n("events_public_share"),
                free=n("events_free_share"),
                days=n("days_open_per_week"),
            ),
            "**"
            + _("Transmission")
            + "** — "
            + _(
                "%(workshops)s ateliers et formations sur la période.",
                workshops=n("events_workshops_trainings"),
            ),
        ]
    )


def _experimentation(c: dict[str, Any], _period: Period, _lang: str) -> str:
    n = c["n"]
    return _(
        "Du %(start)s au %(end)s, la communauté a enregistré %(outcomes)s retombées (stages, "
        "emplois, missions, entreprises créées, collaborations) et %(co)s événements "
        "co-organisés avec des partenaires.",
        start=c["start"],
        end=c["end"],
        outcomes=n("outcomes"),
        co=n("events_co_organised"),
    )


def _action_plan(c: dict[str, Any], period: Period, _lang: str) -> str:
    readiness = evaluate(period)
    steps = action_plan(readiness)
    if not steps and all(r.met for r in readiness.results):
        return _("Tous les critères sont remplis sur la période.")
    lines = []
    for step in steps:
        lines.append(
            "- **"
            + step.code
            + "** "
            + step.title
            + " : "
            + _(
                "%(gap)s ; rythme %(pace)s ; %(reach)s.",
                gap=step.gap_text,
                pace=step.pace_text,
                reach=step.reach_text,
            )
        )
    for result in readiness.results:
        if not result.met and result.kind == "declaration":
            lines.append(f"- **{result.code}** {result.title} : {result.gap_text}.")
    return "\n".join(lines)


def _perspectives(c: dict[str, Any], period: Period, _lang: str) -> str:
    readiness = evaluate(period)
    unmet = [r.code for r in readiness.results if not r.met]
    text = _(
        "Nos priorités pour les prochaines années : faire grandir la programmation au-delà de "
        "%(events)s événements par an et renforcer nos partenariats (%(partners)s aujourd'hui).",
        events=c["n"]("events_held"),
        partners=c["n"]("partners_active"),
    )
    if unmet:
        text += "\n\n" + _(
            "Critères du label encore à atteindre : %(codes)s.", codes=", ".join(unmet)
        )
    return text
