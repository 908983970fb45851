"""Gather what a dossier prints: a fixed number of queries, whatever the data size.

The figures come from ``coworking.stats``, the criteria results from ``coworking.label.readiness``;
the other queries fetch the lists to print (events, partners, press articles, testimonials).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from coworking.community.models import Outcome, PressArticle
from coworking.community.services import published_testimonials
from coworking.dates import to_local
from coworking.events.models import Attendance, Event, EventKind, EventSeries, event_partner
from coworking.extensions import db
from coworking.kinds import OUTCOME_KINDS, label_of
from coworking.label.action_plan import PlanStep, action_plan
from coworking.label.application import Application, application_of
from coworking.label.dossier_figures import figures_for_dossier
from coworking.label.dossier_files import (
    Annex,
    Picture,
    annexes_of,
    logo_of,
    pictures_of,
    signature_of,
)
from coworking.label.evidence_refs import record_list
from coworking.label.readiness import evaluate
from coworking.partners.models import Partner
from coworking.space.models import BoardMember, BudgetLine, GeneralAssembly, SpaceProfile

# -- data ------------------------------------------------------------------------------


@dataclass
class DossierData:
    """Everything the dossier prints, gathered with a fixed number of queries."""

    period: Any
    lang: str
    profile: SpaceProfile | None
    logo: Picture | None
    board: list[BoardMember]
    assemblies: list[GeneralAssembly]
    budget_years: list[dict[str, Any]]
    figures: Any  # coworking.stats figures for the period (indicators, series, mixes)
    readiness: Any
    events: list[dict[str, Any]]
    recurring: list[tuple[str, int]]
    partners: list[dict[str, Any]]
    press: list[PressArticle]
    testimonials: list[Outcome]
    annexes: list[Annex]
    pictures: list[Picture]
    warnings: list[str]
    plan: list[PlanStep]
    outcomes: list[dict[str, Any]]
    founders: list[Partner]
    partner_note: dict[str, int] | None
    application: Application
    signature: Picture | None

    @property
    def photos(self) -> list[Picture]:
        return [p for p in self.pictures if p.kind == "photo"]

    @property
    def clippings(self) -> list[Picture]:
        return [p for p in self.pictures if p.kind != "photo"]

    def record_list(self, indicator_key: str | None) -> tuple[str, str] | None:
        """Return (anchor, name) of the list of records a metric criterion counts."""
        return record_list(indicator_key)

    def annex_number(self, document_id: int) -> int | None:
        """Return the number of an annexed document (1, 2…), None when it is not annexed."""
        for number, annex in enumerate(self.annexes, start=1):
            if annex.document_id == document_id:
                return number
        return None


def gather_data(period: Any, lang: str) -> DossierData:
    """Run the queries of the dossier: a constant number, whatever the data size."""
    warnings: list[str] = []
    profile = db.session.scalar(select(SpaceProfile).order_by(SpaceProfile.id).limit(1))
    logo = logo_of(profile, warnings)
    board = list(
        db.session.scalars(select(BoardMember).order_by(BoardMember.position, BoardMember.id))
    )
    assemblies = list(
        db.session.scalars(
            select(GeneralAssembly)
            .where(GeneralAssembly.held_on <= period.end)
            .order_by(GeneralAssembly.held_on.desc())
        )
    )
    figures = figures_for_dossier(period, lang)
    readiness = evaluate(period)
    evidence_ids = {evidence.id for result in readiness.results for evidence in result.evidence}
    events = _events(period, lang)
    partners, note = _partners(period, events, figures.indicators.get("events_co_organised"))
    application = application_of(lang, (profile.name if profile else "") or "")
    return DossierData(
        period=period,
        lang=lang,
        profile=profile,
        logo=logo,
        board=board,
        assemblies=assemblies,
        budget_years=_budget(period),
        figures=figures,
        readiness=readiness,
        events=events,
        recurring=_recurring(period),
        partners=partners,
        press=list(
            db.session.scalars(
                select(PressArticle)
                .where(PressArticle.published_on.between(period.start, period.end))
                .order_by(PressArticle.published_on, PressArticle.id)
            )
        ),
        testimonials=published_testimonials(period.start, period.end),
        annexes=annexes_of(evidence_ids, warnings),
        pictures=pictures_of(period, warnings),
        warnings=warnings,
        plan=action_plan(readiness),
        outcomes=_outcomes(period),
        founders=list(
            db.session.scalars(
                select(Partner)
                .where(Partner.founding_member.is_(True))
                .order_by(Partner.since, Partner.name)
            )
        ),
        partner_note=note,
        application=application,
        signature=signature_of(application.commitment, warnings),
    )


def _outcomes(period: Any) -> list[dict[str, Any]]:
    """List the period's outcomes (date, kind, title): the records OUTCOMES counts, no names."""
    rows = db.session.execute(
        select(Outcome.happened_on, Outcome.kind, Outcome.title)
        .where(Outcome.happened_on.between(period.start, period.end))
        .order_by(Outcome.happened_on, Outcome.id)
    )
    return [
        {"happened_on": day, "kind": label_of(OUTCOME_KINDS, kind), "title": title}
        for day, kind, title in rows
    ]


def _budget(period: Any) -> list[dict[str, Any]]:
    """Return the budget of each year the period touches: lines and income by source."""
    lines = db.session.scalars(
        select(BudgetLine)
        .where(BudgetLine.year.between(period.start.year, period.end.year))
        .order_by(BudgetLine.year, BudgetLine.direction, BudgetLine.category, BudgetLine.id)
    )
    years: dict[int, dict[str, Any]] = {}
    for line in lines:
        year = years.setdefault(
            line.year,
            {"year": line.year, "income": [], "expense": [], "sources": defaultdict(int)},
        )
        if line.direction == "income":
            year["income"].append(line)
            year["sources"][line.source or "other"] += line.amount_cents
        else:
            year["expense"].append(line)
    result = []
    for year in years.values():
        year["income_total"] = sum(line.amount_cents for line in year["income"])
        year["expense_total"] = sum(line.amount_cents for line in year["expense"])
        year["sources"] = sorted(year["sources"].items(), key=lambda item: -item[1])
        result.append(year)
    return result


def _local_bounds(period: Any) -> tuple[datetime, datetime]:
    """Return the period as UTC instants: from its first day's midnight to after its last."""
    return period.utc_bounds()


def _events(period: Any, lang: str) -> list[dict[str, Any]]:
    """List the period's events (cancelled ones left out) with attendance and co-organisers."""
    start, end = _local_bounds(period)
    attended = (
        select(Attendance.event_id, func.count().label("attended"))
        .where(Attendance.status == "attended")
        .group_by(Attendance.event_id)
        .subquery()
    )
    kind_label = EventKind.label_en if lang == "en" else EventKind.label_fr
    rows = db.session.execute(
        select(
            Event.id,
            Event.title,
            Event.starts_at,
            Event.all_day,
            Event.location,
            Event.is_public,
            Event.is_free,
            Event.headcount,
            Event.series_id,
            Event.venue_partner_id,
            kind_label.label("kind"),
            Partner.name.label("venue"),
            func.coalesce(attended.c.attended, 0).label("attended"),
        )
        .join(EventKind, EventKind.slug == Event.kind)
        .outerjoin(Partner, Partner.id == Event.venue_partner_id)
        .outerjoin(attended, attended.c.event_id == Event.id)
        .where(Event.starts_at >= start, Event.starts_at < end, Event.cancelled.is_(False))
        .order_by(Event.starts_at, Event.id)
    ).all()
    organisers: dict[int, list[str]] = defaultdict(list)
    organiser_ids: dict[int, list[int]] = defaultdict(list)
    for event_id, partner_id, name in db.session.execute(
        select(event_partner.c.event_id, Partner.id, Partner.name)
        .join(Partner, Partner.id == event_partner.c.partner_id)
        .join(Event, Event.id == event_partner.c.event_id)
        .where(Event.starts_at >= start, Event.starts_at < end, Event.cancelled.is_(False))
        .order_by(Partner.name)
    ):
        organisers[event_id].append(name)
        organiser_ids[event_id].append(partner_id)
    return [
        {
            **row._asdict(),
            "day": to_local(row.starts_at).date(),
            "people": row.attended + (row.headcount or 0),
            "partners": organisers.get(row.id, []),
            "partner_ids": organiser_ids.get(row.id, []),
        }
        for row in rows
    ]


def _recurring(period: Any) -> list[tuple[str, int]]:
    """Count the period's events of each recurring series (the monthly twapéro…)."""
    start, end = _local_bounds(period)
    rows = db.session.execute(
        select(EventSeries.title, func.count(Event.id))
        .join(Event, Event.series_id == EventSeries.id)
        .where(Event.starts_at >= start, Event.starts_at < end, Event.cancelled.is_(False))
        .group_by(EventSeries.id, EventSeries.title)
        .order_by(func.count(Event.id).desc(), EventSeries.title)
    )
    return [(title, count) for title, count in rows]


def _partners(
    period: Any, events: list[dict[str, Any]], co_organised_total: int | None
) -> tuple[list[dict[str, Any]], dict[str, int] | None]:
    """List partners active in the period, with the events they hosted or co-organised while
    their partnership ran (from its start); and the note reconciling the rows with the total."""
    partners = list(
        db.session.scalars(
            select(Partner)
            .where(
                or_(Partner.since.is_(None), Partner.since <= period.end),
                or_(Partner.until.is_(None), Partner.until >= period.start),
            )
            .order_by(Partner.kind, Partner.name)
        )
    )
    by_id = {partner.id: partner for partner in partners}

    def running(partner_id: int | None, day: Any) -> bool:
        partner = by_id.get(partner_id or -1)
        return (
            partner is not None
            and (partner.since is None or partner.since <= day)
            and (partner.until is None or day <= partner.until)
        )

    hosted: dict[int, int] = defaultdict(int)
    coorganised: dict[int, int] = defaultdict(int)
    several = before = 0
    for event in events:
        if running(event["venue_partner_id"], event["day"]):
            hosted[event["venue_partner_id"]] += 1
        credited = [pid for pid in event["partner_ids"] if running(pid, event["day"])]
        for partner_id in credited:
            coorganised[partner_id] += 1
        several += len(credited) > 1
        before += len(credited) < len(event["partner_ids"])
    rows = [
        {
            "partner": partner,
            "hosted": hosted.get(partner.id, 0),
            "coorganised": coorganised.get(partner.id, 0),
            "roles": [
                label
                for flag, label in (
                    (partner.hosts_events, _("accueille des événements")),
                    (partner.funds, _("finance")),
                    (partner.supports, _("soutient")),
                    (partner.founding_member, _("membre fondateur")),
                )
                if flag
            ],
        }
        for partner in partners
    ]
    total_rows = sum(coorganised.get(partner.id, 0) for partner in partners)
    note = None
    if co_organised_total is not None and total_rows != co_organised_total:
        note = {
            "rows": total_rows,
            "total": int(co_organised_total),
            "several": several,
            "before": before,
        }
    return rows, note
