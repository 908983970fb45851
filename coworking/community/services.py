"""Press articles, outcomes, the partner pages' lists, and the community summary.

Partners and documents are features of their own, below events (`coworking.partners`,
`coworking.documents`); the community pages show them with what happened around them.
Services flush and never commit: the request or the CLI command commits once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from coworking.audit import services as audit
from coworking.community.models import Mention, Outcome, PressArticle
from coworking.dates import local_midnight_utc, today
from coworking.documents.models import Document
from coworking.errors import ServiceError
from coworking.events.models import Event, event_partner
from coworking.extensions import db
from coworking.ids import parse_id
from coworking.kinds import OUTCOME_KINDS
from coworking.members.models import Member
from coworking.members.search import search_clause, search_clause_words
from coworking.partners.models import Partner
from coworking.partners.services import filter_partners
from coworking.urls import checked_url


class CommunityError(ServiceError):
    """A press article, outcome or mention that cannot be saved: a message and its field."""


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# --- partner pages ----------------------------------------------------------------------


def partner_event_count():
    """Return a correlated count of the events a partner hosted or co-organised."""
    co_organised = select(event_partner.c.event_id).where(event_partner.c.partner_id == Partner.id)
    return (
        select(func.count(Event.id))
        .where(or_(Event.venue_partner_id == Partner.id, Event.id.in_(co_organised)))
        .correlate(Partner)
        .scalar_subquery()
    )


def partners_query(*, kind: str = "", role: str = "", status: str = "", q: str = "") -> Select[Any]:
    """Select (Partner, number of events) with the list filters, by name."""
    query = select(Partner, partner_event_count().label("event_count")).order_by(
        Partner.sort_name, Partner.id
    )
    return filter_partners(query, kind=kind, role=role, status=status, q=q)


def partner_events(partner: Partner) -> list[tuple[Event, bool]]:
    """Return the partner's events, latest first, with whether the partner hosted each."""
    co_organised = select(event_partner.c.event_id).where(event_partner.c.partner_id == partner.id)
    events = db.session.scalars(
        select(Event)
        .where(or_(Event.venue_partner_id == partner.id, Event.id.in_(co_organised)))
        .order_by(Event.starts_at.desc())
    ).all()
    return [(event, event.venue_partner_id == partner.id) for event in events]


def partner_outcomes(partner: Partner) -> list[Outcome]:
    return list(
        db.session.scalars(
            select(Outcome)
            .where(Outcome.partner_id == partner.id)
            .order_by(Outcome.happened_on.desc(), Outcome.id.desc())
        )
    )


# --- press ------------------------------------------------------------------------------


def save_press_article(article: PressArticle | None, data: dict[str, Any]) -> PressArticle:
    """Create or update a press article; a clipping Document may be given in data."""
    title = (data.get("title") or "").strip()
    outlet = (data.get("outlet") or "").strip()
    if not title:
        raise CommunityError(_("Donnez le titre de l'article."), "title")
    if not outlet:
        raise CommunityError(_("Indiquez le média."), "outlet")
    if not data.get("published_on"):
        raise CommunityError(_("Indiquez la date de parution."), "published_on")
    url = checked_url(data.get("url"), "url")
    creating = article is None
    if creating:
        _refuse_press_duplicate(title, outlet, data["published_on"], url)
    if article is None:
        article = PressArticle()
        db.session.add(article)
    article.title = title
    article.outlet = outlet
    article.author = _text(data.get("author"))
    article.published_on = data["published_on"]
    article.url = url
    article.excerpt = _text(data.get("excerpt"))
    if data.get("clipping") is not None:
        article.clipping = data["clipping"]
    db.session.flush()
    audit.record("press.create" if creating else "press.update", article, article.title)
    return article


def _refuse_press_duplicate(title: str, outlet: str, published_on: Any, url: str | None) -> None:
    """Refuse a new article that is already in the press list (same link, or same title,
    outlet and day): « déjà enregistré »."""
    same = or_(
        and_(
            func.lower(PressArticle.title) == title.lower(),
            func.lower(PressArticle.outlet) == outlet.lower(),
            PressArticle.published_on == published_on,
        ),
        *([PressArticle.url == url] if url else []),
    )
    found = db.session.scalar(select(PressArticle).where(same).limit(1))
    if found is not None:
        raise CommunityError(
            _(
                "Déjà enregistré : « %(title)s » (%(outlet)s) est déjà dans la revue de presse.",
                title=found.title,
                outlet=found.outlet,
            ),
            "url" if url and found.url == url else "title",
        )


def delete_press_article(article: PressArticle) -> None:
    """Delete an article; its clipping stays among the documents."""
    audit.record("press.delete", article, article.title)
    db.session.delete(article)
    db.session.flush()


def press_query() -> Select[Any]:
    return (
        select(PressArticle)
        .options(joinedload(PressArticle.clipping))
        .order_by(PressArticle.published_on.desc(), PressArticle.id.desc())
    )


# --- outcomes ---------------------------------------------------------------------------


def save_outcome(outcome: Outcome | None, data: dict[str, Any]) -> Outcome:
    """Create or update an outcome with its members, event, partner and testimonial."""
    if data.get("kind") not in OUTCOME_KINDS:
        raise CommunityError(_("Type de retombée inconnu."), "kind")
    title = (data.get("title") or "").strip()
    if not title:
        raise CommunityError(_("Donnez un titre."), "title")
    if not data.get("happened_on"):
        raise CommunityError(_("Indiquez la date."), "happened_on")
    wanted = list(data.get("member_ids") or ())
    member_ids = sorted(ident for ident in {parse_id(i) for i in wanted} if ident is not None)
    if len(member_ids) != len(set(wanted)):
        raise CommunityError(_("Membre introuvable."), "member_ids")
    members = (
        list(db.session.scalars(select(Member).where(Member.id.in_(member_ids))))
        if member_ids
        else []
    )
    if len(members) != len(member_ids):
        raise CommunityError(_("Membre introuvable."), "member_ids")
    event_id = data.get("event_id") or None
    if event_id and (parse_id(event_id) is None or db.session.get(Event, event_id) is None):
        raise CommunityError(_("Événement introuvable."), "event_id")
    partner_id = data.get("partner_id") or None
    if partner_id and (parse_id(partner_id) is None or db.session.get(Partner, partner_id) is None):
        raise CommunityError(_("Partenaire introuvable."), "partner_id")
    testimonial = _text(data.get("testimonial"))
    consent = bool(data.get("consent")) and testimonial is not None
    consent_on = data.get("consent_on")
    if data.get("consent") and testimonial is None:
        raise CommunityError(
            _("Le consentement porte sur un témoignage : saisissez le témoignage."), "testimonial"
        )
    if consent and consent_on is None:
        raise CommunityError(_("Indiquez la date du consentement."), "consent_on")
    if consent and consent_on is not None and consent_on > today():
        raise CommunityError(_("La date du consentement ne peut pas être future."), "consent_on")
    creating = outcome is None
    if outcome is None:
        outcome = Outcome()
        db.session.add(outcome)
    outcome.kind = data["kind"]
    outcome.title = title
    outcome.description = (data.get("description") or "").strip()
    outcome.happened_on = data["happened_on"]
    outcome.event_id = event_id
    outcome.partner_id = partner_id
    outcome.testimonial = testimonial
    outcome.testimonial_author = _text(data.get("testimonial_author")) if testimonial else None
    outcome.consent_publish_at = (
        local_midnight_utc(consent_on) if consent and consent_on is not None else None
    )
    outcome.members = members
    db.session.flush()
    audit.record("outcome.create" if creating else "outcome.update", outcome, outcome.title)
    return outcome


def delete_outcome(outcome: Outcome) -> None:
    audit.record("outcome.delete", outcome, outcome.title)
    db.session.delete(outcome)
    db.session.flush()


def outcomes_query(kind: str = "") -> Select[Any]:
    query = (
        select(Outcome)
        .options(
            selectinload(Outcome.members),
            joinedload(Outcome.event),
            joinedload(Outcome.partner),
        )
        .order_by(Outcome.happened_on.desc(), Outcome.id.desc())
    )
    if kind in OUTCOME_KINDS:
        query = query.where(Outcome.kind == kind)
    return query


def outcomes_by_kind(outcomes: Iterable[Outcome]) -> list[tuple[str, list[Outcome]]]:
    """Group outcomes in the order of the kinds, dropping empty kinds."""
    groups: dict[str, list[Outcome]] = {kind: [] for kind in OUTCOME_KINDS}
    for outcome in outcomes:
        groups.setdefault(outcome.kind, []).append(outcome)
    return [(kind, items) for kind, items in groups.items() if items]


def published_testimonials(start: date | None = None, end: date | None = None) -> list[Outcome]:
    """Return the outcomes whose testimonial may be published, oldest first (the dossier's)."""
    query = (
        select(Outcome)
        .options(selectinload(Outcome.members))
        .where(
            Outcome.consent_publish_at.is_not(None),
            Outcome.testimonial.is_not(None),
            Outcome.testimonial != "",
        )
        .order_by(Outcome.happened_on, Outcome.id)
    )
    if start:
        query = query.where(Outcome.happened_on >= start)
    if end:
        query = query.where(Outcome.happened_on <= end)
    return list(db.session.scalars(query))


MEMBERS_FOUND = 12


def member_choices(
    member_ids: Iterable[int] | None = None, *, find: str = "", limit: int = MEMBERS_FOUND
) -> list[tuple[int, str]]:
    """Return (id, name) of members not erased, by name: those with these ids, or (``find``)
    the first ones whose names, e-mail or organisation hold every word typed."""
    query = select(Member.id, Member.first_name, Member.last_name).where(Member.erased_at.is_(None))
    if find:
        if not search_clause_words(find):
            return []
        query = query.where(search_clause(find)).limit(limit)
    elif member_ids is not None:
        wanted = sorted({ident for ident in member_ids if ident})
        if not wanted:
            return []
        query = query.where(Member.id.in_(wanted))
    rows = db.session.execute(query.order_by(Member.sort_name, Member.id))
    return [(row.id, f"{row.first_name} {row.last_name}".strip() or f"#{row.id}") for row in rows]


def event_choices() -> list[tuple[int, str, datetime]]:
    """Return (id, title, start) of all events, latest first."""
    rows = db.session.execute(
        select(Event.id, Event.title, Event.starts_at).order_by(Event.starts_at.desc())
    )
    return [(row.id, row.title, row.starts_at) for row in rows]


# --- community page ---------------------------------------------------------------------


@dataclass
class YearCounts:
    year: int
    partners: int
    press: int
    mentions: int
    outcomes: int
    testimonials: int
    documents: int


def year_counts(year: int) -> YearCounts:
    """Count, in SQL, what happened in a calendar year (Europe/Paris)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    start, end = local_midnight_utc(first), local_midnight_utc(date(year + 1, 1, 1))

    def count(model: Any, *conditions: Any) -> Any:
        return select(func.count()).select_from(model).where(*conditions).scalar_subquery()

    row = db.session.execute(
        select(
            count(
                Partner,
                or_(Partner.since.is_(None), Partner.since <= last),
                or_(Partner.until.is_(None), Partner.until >= first),
            ).label("partners"),
            count(
                PressArticle,
                PressArticle.published_on >= first,
                PressArticle.published_on <= last,
            ).label("press"),
            count(Mention, Mention.posted_at >= start, Mention.posted_at < end).label("mentions"),
            count(Outcome, Outcome.happened_on >= first, Outcome.happened_on <= last).label(
                "outcomes"
            ),
            count(
                Outcome,
                Outcome.happened_on >= first,
                Outcome.happened_on <= last,
                Outcome.consent_publish_at.is_not(None),
            ).label("testimonials"),
            count(Document, Document.uploaded_at >= start, Document.uploaded_at < end).label(
                "documents"
            ),
        )
    ).one()
    return YearCounts(year=year, **row._asdict())


def latest(query: Select[Any], limit: int = 3) -> Sequence[Any]:
    """Return the first rows of a query (the summary page's « latest »)."""
    return db.session.scalars(query.limit(limit)).all()
