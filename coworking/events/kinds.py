"""Event kinds: the built-in ones every space starts with, and those admins add."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, false, func, select

from coworking.audit import services as audit
from coworking.csvio import fold_text
from coworking.events.errors import EventError
from coworking.events.models import Event, EventKind
from coworking.extensions import db
from coworking.kinds import EVENT_KINDS

# --- kinds -------------------------------------------------------------------------------


def ensure_default_kinds() -> int:
    """Insert the built-in kinds that are missing (idempotent); return how many were added."""
    existing = set(db.session.scalars(select(EventKind.slug)))
    added = 0
    for kind in builtin_kinds():
        if kind.slug not in existing:
            db.session.add(kind)
            added += 1
    if added:
        db.session.flush()
    return added


def all_kinds() -> list[EventKind]:
    """Return every kind in display order; built-in kinds not stored yet are listed too.

    Reading never writes: the built-in kinds are stored by the migrations, `first-run` and
    any change to events (`ensure_default_kinds`); until then they are shown unsaved.
    """
    kinds = list(db.session.scalars(_kinds_query()))
    stored = {kind.slug for kind in kinds}
    missing = [kind for kind in builtin_kinds() if kind.slug not in stored]
    if not missing:
        return kinds
    return sorted(kinds + missing, key=lambda kind: (kind.position, kind.label_fr))


def builtin_kinds() -> list[EventKind]:
    """Return the built-in kinds as new, unsaved rows."""
    return [
        EventKind(
            slug=slug,
            label_fr=label_fr,
            label_en=label_en,
            builtin=True,
            position=(position + 1) * 10,
        )
        for position, (slug, (label_fr, label_en)) in enumerate(EVENT_KINDS.items())
    ]


def _kinds_query() -> Select[Any]:
    return select(EventKind).order_by(EventKind.position, EventKind.label_fr)


def kind_label(kind: EventKind, locale: str = "fr") -> str:
    """Return the label of a kind in the given language."""
    return kind.label_en if locale == "en" and kind.label_en else kind.label_fr


def admin_kinds() -> dict[str, str]:
    """Return the kinds added by admins, slug -> French label (for the iCal import)."""
    rows = db.session.execute(
        select(EventKind.slug, EventKind.label_fr).where(EventKind.builtin == false())
    )
    return {slug: label for slug, label in rows}


def add_kind(label_fr: str, label_en: str = "") -> EventKind:
    """Add a kind named by admins; its slug comes from the French label."""
    label_fr = (label_fr or "").strip()
    label_en = (label_en or "").strip() or label_fr
    if not label_fr:
        raise EventError(_("Donnez un nom au type d'événement."), "label_fr")
    if len(label_fr) > 100 or len(label_en) > 100:
        raise EventError(_("100 caractères au plus."), "label_fr")
    slug = fold_text(label_fr).replace(" ", "-")[:32].strip("-")
    if not slug:
        raise EventError(_("Le nom doit contenir au moins une lettre ou un chiffre."), "label_fr")
    ensure_default_kinds()
    if db.session.get(EventKind, slug) is not None:
        raise EventError(_("Ce type d'événement existe déjà."), "label_fr")
    last = db.session.scalar(select(func.max(EventKind.position))) or 0
    kind = EventKind(
        slug=slug, label_fr=label_fr, label_en=label_en, builtin=False, position=last + 10
    )
    db.session.add(kind)
    db.session.flush()
    audit.record("event_kind.create", kind, label_fr, object_id=slug)
    return kind


def delete_kind(kind: EventKind) -> None:
    """Delete a kind added by admins, if no event uses it."""
    if kind.builtin:
        raise EventError(_("Les types prédéfinis ne peuvent pas être supprimés."))
    used = db.session.scalar(select(func.count()).select_from(Event).where(Event.kind == kind.slug))
    if used:
        raise EventError(
            ngettext(
                "Ce type est utilisé par %(num)s événement : il ne peut pas être supprimé.",
                "Ce type est utilisé par %(num)s événements : il ne peut pas être supprimé.",
                used,
            )
        )
    audit.record("event_kind.delete", kind, kind.label_fr, object_id=kind.slug)
    db.session.delete(kind)
    db.session.flush()
