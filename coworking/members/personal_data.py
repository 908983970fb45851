"""What the space holds about a member (GDPR): its export, its erasure, the retention period.

Other features hold data about members too (visits, attendance, outcomes, mentions). They sit
above this one, so they register here what they hold — `holds_personal_data(key, export=…,
erase=…)` when they are imported — and the export and the erasure call them: this module never
imports them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select, update

from coworking.audit import services as audit
from coworking.csvio import fold_text
from coworking.database import utcnow
from coworking.dates import add_years
from coworking.extensions import db
from coworking.members.models import Member, Membership, RetentionSetting
from coworking.members.services import (
    CONSENTS,
    MEMBER_FIELDS,
    MemberError,
    today,
)

__all__ = [
    "KEPT_ON_ERASURE",
    "NameMatcher",
    "erase_member",
    "export_member_data",
    "holds_personal_data",
    "iso",
    "member_handles",
    "members_past_retention",
    "purge_deleted_bytes",
    "retention_cutoff",
    "retention_years",
    "set_retention_years",
]

# Kept on erasure: what the statistics count, none of it identifying on its own.
KEPT_ON_ERASURE = ("profession_category", "age_bracket", "city", "joined_on", "left_on")


def iso(value: Any) -> Any:
    """Return dates and datetimes in ISO 8601, other values as they are (for the JSON export)."""
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def member_handles(member: Member) -> list[str]:
    """Return the member's social handles as mention authors are stored (lowercase)."""
    handles = []
    if member.twitter:
        handles.append(member.twitter.lstrip("@").lower())
    if member.mastodon:
        handles.append(member.mastodon.lstrip("@").lower())
        handles.append(member.mastodon.lstrip("@").split("@")[0].lower())
    return sorted(set(h for h in handles if h))


class NameMatcher:
    """Finds a member's names in free text: whole words, accents and case ignored."""

    def __init__(self, member: Member) -> None:
        self.member = member
        self.first = fold_text(member.first_name or "")
        self.last = fold_text(member.last_name or "")
        words = {self.first, self.last}
        words.update(fold_text(handle.split("@")[0]) for handle in member_handles(member))
        self._patterns = [
            re.compile(rf"\b{re.escape(word)}\b") for word in sorted(words) if len(word) >= 2
        ]

    def names_in(self, text: str | None) -> bool:
        """Tell whether a text holds one of the member's names or handles."""
        folded = fold_text(text or "")
        return any(pattern.search(folded) for pattern in self._patterns)

    def is_full_name(self, text: str | None) -> bool:
        """Tell whether a free-typed name (a guest, a visitor) is the member's full name.

        Case, accents and punctuation are ignored, and « Zarbi Zoé (invitée) » counts too:
        the full name, in either order, as whole words.
        """
        first, last = self.first, self.last
        folded = fold_text(text or "")
        if not folded or not (first or last):
            return False
        if not (first and last):
            return folded == (first or last)
        return any(
            re.search(rf"\b{re.escape(name)}\b", folded)
            for name in (f"{first} {last}", f"{last} {first}")
        )

    def clear_full_names(self, model: Any, name_column: Any) -> list[int]:
        """Clear the free-text names (a guest's, a visitor's) on rows without a member that are
        this member's full name; return the ids of the rows cleared."""
        ids = [
            row_id
            for row_id, name in db.session.execute(
                select(model.id, name_column).where(
                    model.member_id.is_(None), name_column.is_not(None)
                )
            )
            if self.is_full_name(name)
        ]
        if ids:
            db.session.execute(update(model).where(model.id.in_(ids)).values({name_column: None}))
        return ids


@dataclass(frozen=True)
class PersonalDataHolder:
    """What one feature holds about members: how to export it, and how to clear it on erasure."""

    key: str
    export: Callable[[Member], list[dict[str, Any]]]
    erase: Callable[[Member, NameMatcher], None] | None = None


_holders: dict[str, PersonalDataHolder] = {}


def holds_personal_data(
    key: str,
    *,
    export: Callable[[Member], list[dict[str, Any]]],
    erase: Callable[[Member, NameMatcher], None] | None = None,
) -> None:
    """Register what a feature holds about members, under ``key`` in the export (idempotent)."""
    _holders[key] = PersonalDataHolder(key, export, erase)


def export_member_data(member: Member) -> dict[str, Any]:
    """Return everything the space holds about a member, as JSON-ready data."""
    profile = {name: iso(getattr(member, name)) for name in ("id", *MEMBER_FIELDS)}
    profile["created_at"] = iso(member.created_at)
    profile["erased_at"] = iso(member.erased_at)
    consents = {name: iso(getattr(member, f"consent_{name}_at")) for name in CONSENTS}
    memberships = [
        {
            "plan": m.plan.name,
            "kind": m.plan.kind,
            "starts_on": iso(m.starts_on),
            "ends_on": iso(m.ends_on),
            "amount_paid_cents": m.amount_paid_cents,
            "paid_on": iso(m.paid_on),
        }
        for m in db.session.scalars(
            select(Membership)
            .where(Membership.member_id == member.id)
            .options(db.joinedload(Membership.plan))
            .order_by(Membership.starts_on)
        ).unique()
    ]
    data: dict[str, Any] = {
        "exported_at": iso(utcnow()),
        "profile": profile,
        "consents": consents,
        "memberships": memberships,
    }
    for holder in _holders.values():
        data[holder.key] = holder.export(member)
    return data


def erase_member(member: Member) -> None:
    """Anonymise a member in place: visits, attendance and the profession mix still count.

    Names, contact details, handles, notes and consents are cleared; the audit log forgets
    the summaries about the member; every feature that holds data about members clears its
    traces (names in free text, handles, testimonials). The caller commits, then calls
    `purge_deleted_bytes()` so that no copy remains on disk.
    """
    if member.erased_at is not None:
        return
    matcher = NameMatcher(member)
    for holder in _holders.values():
        if holder.erase is not None:
            holder.erase(member, matcher)
    for name in MEMBER_FIELDS:
        if name not in KEPT_ON_ERASURE:
            setattr(member, name, "" if name in ("first_name", "last_name") else None)
    member.postcode = None
    for name in CONSENTS:
        setattr(member, f"consent_{name}_at", None)
    member.left_on = member.left_on or today()
    member.search_text = member.sort_name = member.sort_organisation = ""
    member.erased_at = utcnow()
    db.session.flush()
    audit.forget_object("member", member.id)
    audit.record("member.erase", member, "")


def purge_deleted_bytes() -> None:
    """After an erasure commit: fold the SQLite WAL into the file so old pages are gone."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    # Outside any transaction (the engine's BEGIN would make the checkpoint fail).
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        connection.close()


# --- retention --------------------------------------------------------------------------------


def retention_years() -> int:
    setting = db.session.get(RetentionSetting, 1)
    return setting.years if setting else int(current_app.config["COWORKING_RETENTION_YEARS"])


def set_retention_years(years: int) -> None:
    if years < 1 or years > 50:
        raise MemberError(_("Choisissez une durée entre 1 et 50 ans."), "years")
    setting = db.session.get(RetentionSetting, 1)
    if setting is None:
        setting = RetentionSetting(id=1)
        db.session.add(setting)
    setting.years = years
    db.session.flush()
    audit.record("retention.update", setting, str(years))


def retention_cutoff(years: int, on: dt.date | None = None) -> dt.date:
    on = on or today()
    return add_years(on, -years)


def members_past_retention(years: int) -> Select[Any]:
    """Members who left before the cut-off and are not erased yet."""
    return (
        select(Member)
        .where(
            Member.erased_at.is_(None),
            Member.left_on.is_not(None),
            Member.left_on < retention_cutoff(years),
        )
        .order_by(Member.left_on, Member.id)
    )
