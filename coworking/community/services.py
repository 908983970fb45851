"""Partners, press articles, outcomes, documents and the community summary.

Services flush and never commit: the request or the CLI command commits once.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from coworking.audit import services as audit
from coworking.community.choices import (
    ANNEX_KINDS,
    DOCUMENT_KINDS,
    IMAGE_TYPES,
    OUTCOME_KINDS,
    PARTNER_KINDS,
    PARTNER_ROLES,
)
from coworking.community.file_checks import check_upload_content, open_image
from coworking.community.models import Document, Mention, Outcome, Partner, PressArticle
from coworking.community.uploads import UploadInfo, UploadRejected, sniff_upload
from coworking.events.models import Event, event_partner
from coworking.extensions import db
from coworking.ids import parse_id
from coworking.label.models import Dossier, dossier_document
from coworking.members.models import Member
from coworking.urls import clean_url

PARIS = ZoneInfo("Europe/Paris")
THUMBNAIL_SIZE = (320, 320)


class CommunityError(ValueError):
    """A user-caused problem, with a translated message and the field it concerns."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


# --- shared checks ----------------------------------------------------------------------


def checked_url(value: str | None, field: str = "url", max_length: int = 500) -> str | None:
    """Return a cleaned http(s) link, None when empty, or refuse anything else."""
    value = (value or "").strip()
    if not value:
        return None
    cleaned = clean_url(value)
    if cleaned is None:
        raise CommunityError(
            _("Lien refusé : seules les adresses web en http:// ou https:// sont acceptées."),
            field,
        )
    if len(cleaned) > max_length:
        raise CommunityError(_("Lien trop long (%(n)d caractères au plus).", n=max_length), field)
    return cleaned


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def paris_midnight(day: date) -> datetime:
    """Return the UTC instant at which a day starts in Europe/Paris."""
    return datetime.combine(day, time(0), tzinfo=PARIS).astimezone(UTC)


def paris_today() -> date:
    return datetime.now(PARIS).date()


# --- partners ---------------------------------------------------------------------------

PARTNER_FIELDS = (
    "name",
    "kind",
    "since",
    "until",
    "contact_name",
    "contact_email",
    "contact_phone",
    "website",
    "address",
    "notes",
)


def save_partner(partner: Partner | None, data: dict[str, Any]) -> Partner:
    """Create (partner None) or update a partner from cleaned form data."""
    name = (data.get("name") or "").strip()
    if not name:
        raise CommunityError(_("Donnez le nom du partenaire."), "name")
    if data.get("kind") not in PARTNER_KINDS:
        raise CommunityError(_("Type de partenaire inconnu."), "kind")
    since, until = data.get("since"), data.get("until")
    if since and until and until < since:
        raise CommunityError(_("La date de fin précède la date de début."), "until")
    website = checked_url(data.get("website"), "website")
    creating = partner is None
    if partner is None:
        partner = Partner()
        db.session.add(partner)
    partner.name = name
    partner.kind = data["kind"]
    partner.since = since
    partner.until = until
    partner.website = website
    for field in ("contact_name", "contact_email", "contact_phone", "address", "notes"):
        setattr(partner, field, _text(data.get(field)))
    if partner.contact_email:
        partner.contact_email = partner.contact_email.lower()
    roles = set(data.get("roles") or ())
    for role in PARTNER_ROLES:
        setattr(partner, role, role in roles)
    db.session.flush()
    audit.record("partner.create" if creating else "partner.update", partner, partner.name)
    return partner


def delete_partner(partner: Partner) -> None:
    """Delete a partner; its documents, events and outcomes stay, unlinked."""
    audit.record("partner.delete", partner, partner.name)
    db.session.delete(partner)
    db.session.flush()


def partner_roles(partner: Partner) -> list[str]:
    """Return the role keys a partner has."""
    return [role for role in PARTNER_ROLES if getattr(partner, role)]


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
        func.lower(Partner.name), Partner.id
    )
    return filter_partners(query, kind=kind, role=role, status=status, q=q)


def filter_partners(query: Select[Any], *, kind: str, role: str, status: str, q: str):
    if kind in PARTNER_KINDS:
        query = query.where(Partner.kind == kind)
    if role in PARTNER_ROLES:
        query = query.where(getattr(Partner, role).is_(True))
    today = paris_today()
    current = or_(Partner.until.is_(None), Partner.until >= today)
    if status == "current":
        query = query.where(current)
    elif status == "former":
        query = query.where(Partner.until < today)
    if q.strip():
        query = query.where(func.lower(Partner.name).contains(q.strip().lower(), autoescape=True))
    return query


def partner_events(partner: Partner) -> list[tuple[Event, bool]]:
    """Return the partner's events, latest first, with whether the partner hosted each."""
    co_organised = select(event_partner.c.event_id).where(event_partner.c.partner_id == partner.id)
    events = db.session.scalars(
        select(Event)
        .where(or_(Event.venue_partner_id == partner.id, Event.id.in_(co_organised)))
        .order_by(Event.starts_at.desc())
    ).all()
    return [(event, event.venue_partner_id == partner.id) for event in events]


def partner_documents(partner: Partner) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.partner_id == partner.id)
            .order_by(Document.uploaded_at.desc(), Document.id.desc())
        )
    )


def partner_outcomes(partner: Partner) -> list[Outcome]:
    return list(
        db.session.scalars(
            select(Outcome)
            .where(Outcome.partner_id == partner.id)
            .order_by(Outcome.happened_on.desc(), Outcome.id.desc())
        )
    )


# --- documents --------------------------------------------------------------------------


def check_upload(data: bytes, filename: str, *, kind: str, max_bytes: int) -> UploadInfo:
    """Check an upload by its content and by what reading it would cost, else CommunityError.

    The slow part (measuring a PDF) is kept by content hash: a view may call this
    outside the write lock first, store_document then finds the answer ready.
    """
    try:
        info = sniff_upload(data, filename, max_bytes=max_bytes)
        check_upload_content(data, info, annex=kind in ANNEX_KINDS)
    except UploadRejected as rejection:
        status = 413 if rejection.code == "too_large" else 400
        raise CommunityError(rejection.reason, "file", status) from None
    return info


def store_document(
    data: bytes,
    filename: str,
    *,
    title: str = "",
    kind: str = "other",
    partner_id: int | None = None,
    uploaded_by: str | None = None,
    max_bytes: int,
) -> Document:
    """Check an upload by its content and keep it in the database, with a thumbnail."""
    if kind not in DOCUMENT_KINDS:
        raise CommunityError(_("Type de document inconnu."), "kind")
    info = check_upload(data, filename, kind=kind, max_bytes=max_bytes)
    if partner_id is not None and db.session.get(Partner, partner_id) is None:
        raise CommunityError(_("Partenaire introuvable."), "partner_id")
    title = (title or "").strip() or info.filename.rsplit(".", 1)[0]
    document = Document(
        title=title[:200],
        kind=kind,
        filename=info.filename,
        content_type=info.content_type,
        size=info.size,
        sha256=info.sha256,
        data=data,
        thumbnail=make_thumbnail(data) if info.content_type in IMAGE_TYPES else None,
        partner_id=partner_id,
        uploaded_by=uploaded_by,
    )
    db.session.add(document)
    db.session.flush()
    audit.record("document.create", document, document.title)
    return document


def make_thumbnail(data: bytes) -> bytes | None:
    """Return a small JPEG of an image, or None when it cannot be read safely."""
    from PIL import Image, ImageOps

    try:
        with open_image(data) as image:
            image.draft("RGB", THUMBNAIL_SIZE)
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, "white")
                background.paste(image, mask=image.getchannel("A"))
                image = background
            elif image.mode != "RGB":
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        return None


def frozen_dossier_titles(document: Document) -> list[str]:
    """Return the titles of the final (frozen) dossiers that include a document."""
    return list(
        db.session.scalars(
            select(Dossier.title)
            .join(dossier_document, dossier_document.c.dossier_id == Dossier.id)
            .where(dossier_document.c.document_id == document.id, Dossier.status == "final")
            .order_by(Dossier.id)
        )
    )


def delete_document(document: Document) -> None:
    """Delete a document, unless a frozen dossier uses it."""
    frozen = frozen_dossier_titles(document)
    if frozen:
        raise CommunityError(
            _(
                "Ce document fait partie d'un dossier figé (%(titles)s) : il ne peut pas être supprimé.",
                titles=", ".join(frozen),
            ),
            "document",
        )
    # Dossiers still being prepared simply lose it (the link is ON DELETE RESTRICT).
    db.session.execute(
        delete(dossier_document).where(dossier_document.c.document_id == document.id)
    )
    audit.record("document.delete", document, document.title)
    db.session.delete(document)
    db.session.flush()


def documents_query(*, kind: str = "", partner_id: int | None = None) -> Select[Any]:
    query = (
        select(Document)
        .options(joinedload(Document.partner))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
    )
    if kind in DOCUMENT_KINDS:
        query = query.where(Document.kind == kind)
    if partner_id:
        query = query.where(Document.partner_id == partner_id)
    return query


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
        raise CommunityError(_("Type de réalisation inconnu."), "kind")
    title = (data.get("title") or "").strip()
    if not title:
        raise CommunityError(_("Donnez un titre."), "title")
    if not data.get("happened_on"):
        raise CommunityError(_("Indiquez la date."), "happened_on")
    wanted = list(data.get("member_ids") or ())
    member_ids = sorted({parse_id(i) for i in wanted} - {None})
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
    if consent and not consent_on:
        raise CommunityError(_("Indiquez la date du consentement."), "consent_on")
    if consent and consent_on > paris_today():
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
    outcome.consent_publish_at = paris_midnight(consent_on) if consent else None
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
    """Return the outcomes whose testimonial may be published (the dossier prints these)."""
    query = outcomes_query().where(
        Outcome.testimonial.is_not(None), Outcome.consent_publish_at.is_not(None)
    )
    if start:
        query = query.where(Outcome.happened_on >= start)
    if end:
        query = query.where(Outcome.happened_on <= end)
    return list(db.session.scalars(query))


def member_choices() -> list[tuple[int, str]]:
    """Return (id, name) of the members that are not erased, by name."""
    rows = db.session.execute(
        select(Member.id, Member.first_name, Member.last_name)
        .where(Member.erased_at.is_(None))
        .order_by(Member.last_name, Member.first_name, Member.id)
    )
    return [(row.id, f"{row.first_name} {row.last_name}".strip() or f"#{row.id}") for row in rows]


def event_choices() -> list[tuple[int, str, datetime]]:
    """Return (id, title, start) of all events, latest first."""
    rows = db.session.execute(
        select(Event.id, Event.title, Event.starts_at).order_by(Event.starts_at.desc())
    )
    return [(row.id, row.title, row.starts_at) for row in rows]


def partner_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Partner.id, Partner.name).order_by(func.lower(Partner.name)))
    return [(row.id, row.name) for row in rows]


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
    start, end = paris_midnight(first), paris_midnight(date(year + 1, 1, 1))

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
    return db.session.scalars(query.limit(limit)).all()


def latest_partners(limit: int = 3) -> Sequence[Partner]:
    return latest(select(Partner).order_by(Partner.created_at.desc(), Partner.id.desc()), limit)
