"""Partner operations: create, update, delete, the list's filters and choices.

Services flush and never commit: the request or the CLI command commits once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from coworking.audit import services as audit
from coworking.collation import sort_key
from coworking.dates import today
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.kinds import PARTNER_KINDS, PARTNER_ROLES
from coworking.partners.models import Partner
from coworking.urls import checked_url


class PartnerError(ServiceError):
    """A partner that cannot be saved: a translated message and the field at fault."""


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


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
        raise PartnerError(_("Donnez le nom du partenaire."), "name")
    if data.get("kind") not in PARTNER_KINDS:
        raise PartnerError(_("Type de partenaire inconnu."), "kind")
    since, until = data.get("since"), data.get("until")
    if since and until and until < since:
        raise PartnerError(_("La date de fin précède la date de début."), "until")
    website = checked_url(data.get("website"), "website")
    creating = partner is None
    if partner is None:
        partner = Partner()
        db.session.add(partner)
    partner.name = name
    partner.sort_name = sort_key(name)
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


def filter_partners(
    query: Select[Any], *, kind: str, role: str, status: str, q: str
) -> Select[Any]:
    """Apply the partner list's filters: kind, role, current or former, name."""
    if kind in PARTNER_KINDS:
        query = query.where(Partner.kind == kind)
    if role in PARTNER_ROLES:
        query = query.where(getattr(Partner, role).is_(True))
    day = today()
    current = or_(Partner.until.is_(None), Partner.until >= day)
    if status == "current":
        query = query.where(current)
    elif status == "former":
        query = query.where(Partner.until < day)
    if q.strip():
        query = query.where(func.lower(Partner.name).contains(q.strip().lower(), autoescape=True))
    return query


def partner_choices() -> list[tuple[int, str]]:
    """Return (id, name) of every partner, by name."""
    rows = db.session.execute(
        select(Partner.id, Partner.name).order_by(Partner.sort_name, Partner.id)
    )
    return [(row.id, row.name) for row in rows]


def latest_partners(limit: int = 3) -> Sequence[Partner]:
    """Return the partners added last."""
    query = select(Partner).order_by(Partner.created_at.desc(), Partner.id.desc()).limit(limit)
    return db.session.scalars(query).all()
