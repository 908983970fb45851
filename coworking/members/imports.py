"""Writing a members CSV: what an import would do, the import itself, previews confirmed once."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Table, and_, bindparam, delete, func, or_, select, update

from coworking.audit import services as audit
from coworking.database import rows_changed, utcnow
from coworking.extensions import db
from coworking.members.csv_import import MemberRow, ParsedMembers
from coworking.members.models import (
    Member,
    MemberImportPreview,
)
from coworking.members.services import (
    CONSENTS,
    MEMBER_FIELDS,
    MemberError,
    _apply_consents,
    derived_columns,
    set_derived_columns,
    today,
)

# --- CSV import -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, or would do: how many members it creates and updates (same e-mail)."""

    created: int
    updated: int
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""

    @property
    def total(self) -> int:
        return self.created + self.updated


# E-mails are looked up this many at a time (SQLite's bound parameters are limited).
_EMAIL_CHUNK = 500
# What an update reads of an existing member: the fields a row may change, and the consents.
_CONSENT_COLUMNS = tuple(f"consent_{name}_at" for name in CONSENTS)
_UPDATABLE_COLUMNS = (*MEMBER_FIELDS, *_CONSENT_COLUMNS)


def _report(parsed: ParsedMembers, created: int, updated: int) -> ImportReport:
    return ImportReport(
        created=created,
        updated=updated,
        ignored_columns=list(parsed.ignored_columns),
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
    )


def _members_by_email(emails: list[str], *names: str) -> dict[str, Any]:
    """Return the named columns of the members having these e-mails, by e-mail."""
    columns = Member.__table__.c
    found: dict[str, Any] = {}
    for start in range(0, len(emails), _EMAIL_CHUNK):
        chunk = emails[start : start + _EMAIL_CHUNK]
        query = select(columns.email, *(columns[name] for name in names)).where(
            columns.email.in_(chunk)
        )
        for email, *values in db.session.execute(query):
            found[email] = dict(zip(names, values, strict=True))
    return found


def plan_import(parsed: ParsedMembers) -> ImportReport:
    """Say what import_members would do, reading only: a row whose e-mail exists updates."""
    emails = [row.email for row in parsed.rows if row.email]
    updated = len(_members_by_email(emails))
    return _report(parsed, len(parsed.rows) - updated, updated)


@dataclass(frozen=True, slots=True)
class PreparedImport:
    """Parsed rows, with the columns each row gives a member it creates."""

    parsed: ParsedMembers
    new_members: list[dict[str, Any]]


def prepare_import(parsed: ParsedMembers) -> PreparedImport:
    """Work out what each row would create, reading nothing: done before the write begins."""
    now, joined_on = utcnow(), today()
    return PreparedImport(parsed, [_created_values(row, joined_on, now) for row in parsed.rows])


def import_members(members: ParsedMembers | PreparedImport) -> ImportReport:
    """Write parsed rows in bulk: a member whose e-mail exists is updated, else created.

    Rows go to the database in two executemany statements (Core, not one ORM object per
    row) and a member whose values do not change is not written: the caller's transaction,
    SQLite's write lock with it, stays short even for 50,000 rows; prepare_import() before
    that transaction shortens it further. The caller commits.
    """
    prepared = members if isinstance(members, PreparedImport) else prepare_import(members)
    parsed = prepared.parsed
    emails = [row.email for row in parsed.rows if row.email]
    existing = _members_by_email(emails, "id", *_UPDATABLE_COLUMNS)
    now = utcnow()
    creations: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    updated = 0
    for row, new_member in zip(parsed.rows, prepared.new_members, strict=True):
        current = existing.get(row.email) if row.email else None
        if current is None:
            creations.append(new_member)
            continue
        updated += 1
        values = _updated_values(current, row)
        if values is not None:
            values["updated_at"] = now
            changes.append(values)
    table = Member.__table__
    assert isinstance(table, Table)  # a mapped class's table, not a join
    if creations:
        db.session.execute(table.insert(), creations)
    if changes:
        statement = table.update().where(table.c.id == bindparam("member_id"))
        db.session.execute(statement, changes)
    _pause_when_testing_durability()
    audit.record(
        "member.import",
        None,
        f"{len(creations)} créés, {updated} mis à jour",
        object_type="member",
    )
    return _report(parsed, len(creations), updated)


# Fault injection for tests/test_durability.py, off unless this variable names a file: once
# the import's rows are written (not yet committed), it creates that file and waits there, so
# that the test kills the process in the middle of its write transaction.
PAUSE_AFTER_WRITING_ENV = "COWORKING_TEST_IMPORT_PAUSE_FILE"
PAUSE_SECONDS = 120


def _pause_when_testing_durability() -> None:
    """Say the rows are written and wait to be killed, when the durability test asks to."""
    marker = os.environ.get(PAUSE_AFTER_WRITING_ENV)
    if marker:
        Path(marker).write_text("written, not committed\n", encoding="utf-8")
        time.sleep(PAUSE_SECONDS)


def _created_values(row: MemberRow, joined_on: dt.date, now: dt.datetime) -> dict[str, Any]:
    """Return the columns of a member created from a row."""
    member = SimpleNamespace(**dict.fromkeys(_UPDATABLE_COLUMNS))
    member.profession_category = "autre"
    member.joined_on = joined_on
    _copy_row(member, row, creating=True)
    set_derived_columns(member)
    member.created_at = member.updated_at = now
    return vars(member)


def _updated_values(current: dict[str, Any], row: MemberRow) -> dict[str, Any] | None:
    """Return the columns of an existing member (from _members_by_email) updated by a row,
    or None when the row changes nothing."""
    member_id = current.pop("id")
    member = SimpleNamespace(**current)
    _copy_row(member, row, creating=False)
    values = vars(member)
    if values == current:
        return None
    values.update(derived_columns(member))
    values["member_id"] = member_id
    return values


def _copy_row(member: Any, row: MemberRow, *, creating: bool) -> None:
    """Copy the row's values; on update, a blank cell keeps what the register already holds."""
    for name in MEMBER_FIELDS:
        value = getattr(row, name, None)
        if value is None or value == "":
            continue
        setattr(member, name, value)
    member.first_name = member.first_name or ""
    member.last_name = member.last_name or ""
    if creating and not member.profession_category:
        member.profession_category = "autre"
    consents: dict[str, Any] = {}
    for name in CONSENTS:
        value = getattr(row, f"consent_{name}")
        if value is not None:
            consents[name] = value
    _apply_consents(member, consents)


# --- CSV import: previews confirmed once -------------------------------------------------------

# A preview may be confirmed within this time; a confirmed one is remembered this long (without
# its file), to say « déjà confirmé » and to warn when the same file is sent again.
PREVIEW_MAX_AGE = dt.timedelta(hours=1)
CONFIRMED_PREVIEW_KEPT = dt.timedelta(days=30)
# Previews waiting for confirmation, per user: older ones are dropped (they hold whole files).
PENDING_PREVIEWS_PER_USER = 5


class ImportPreviewError(MemberError):
    """A preview that cannot be confirmed (unknown, someone else's, expired, already confirmed)."""


def save_import_preview(data: bytes, user_id: int) -> MemberImportPreview:
    """Keep an uploaded file under a random id until its confirmation; flushes."""
    purge_import_previews()
    older_pending = db.session.scalars(
        select(MemberImportPreview.id)
        .where(
            MemberImportPreview.created_by == user_id,
            MemberImportPreview.confirmed_at.is_(None),
        )
        .order_by(MemberImportPreview.created_at.desc())
        .offset(PENDING_PREVIEWS_PER_USER - 1)
    ).all()
    if older_pending:
        db.session.execute(
            delete(MemberImportPreview).where(MemberImportPreview.id.in_(older_pending))
        )
    preview = MemberImportPreview(
        id=secrets.token_urlsafe(32),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        created_by=user_id,
        created_at=utcnow(),
    )
    db.session.add(preview)
    db.session.flush()
    return preview


def _refuse_unconfirmable(preview: MemberImportPreview | None, user_id: int) -> None:
    """Raise ImportPreviewError unless this user may confirm this preview now."""
    if preview is None or preview.created_by != user_id:
        raise ImportPreviewError(_("Aperçu invalide : envoyez le fichier à nouveau."))
    if preview.confirmed_at is not None:
        raise ImportPreviewError(_("Cet import a déjà été confirmé."))
    if preview.created_at < utcnow() - PREVIEW_MAX_AGE:
        raise ImportPreviewError(_("L'aperçu a expiré : envoyez le fichier à nouveau."))


def import_preview_data(preview_id: str, user_id: int) -> bytes:
    """Return the file of a preview this user may confirm, else raise ImportPreviewError."""
    preview = db.session.get(MemberImportPreview, preview_id) if preview_id else None
    _refuse_unconfirmable(preview, user_id)
    assert preview is not None  # _refuse_unconfirmable raised otherwise
    return preview.data or b""


def confirm_import_preview(preview_id: str, user_id: int) -> None:
    """Mark a preview confirmed and drop its file, once; flushes.

    One conditional UPDATE does it: of two confirmations of the same preview, however close,
    the second finds it confirmed (SQLite's write lock, PostgreSQL's row lock) and raises
    ImportPreviewError, and its transaction must be rolled back.
    """
    now = utcnow()
    confirmed = db.session.execute(
        update(MemberImportPreview)
        .where(
            MemberImportPreview.id == preview_id,
            MemberImportPreview.created_by == user_id,
            MemberImportPreview.confirmed_at.is_(None),
            MemberImportPreview.created_at >= now - PREVIEW_MAX_AGE,
        )
        .values(confirmed_at=now, data=None)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(confirmed) != 1:
        preview = db.session.get(MemberImportPreview, preview_id, populate_existing=True)
        _refuse_unconfirmable(preview, user_id)
        raise ImportPreviewError(_("Cet import a déjà été confirmé."))
    purge_import_previews(now)


def purge_import_previews(now: dt.datetime | None = None) -> None:
    """Delete the previews past their time: pending and expired, or confirmed long ago."""
    now = now or utcnow()
    db.session.execute(
        delete(MemberImportPreview).where(
            or_(
                and_(
                    MemberImportPreview.confirmed_at.is_(None),
                    MemberImportPreview.created_at < now - PREVIEW_MAX_AGE,
                ),
                MemberImportPreview.created_at < now - CONFIRMED_PREVIEW_KEPT,
            )
        )
    )


def last_import_of(data: bytes) -> dt.datetime | None:
    """Return when a file of these very bytes was last imported (recently), if it was."""
    return db.session.scalar(
        select(func.max(MemberImportPreview.confirmed_at)).where(
            MemberImportPreview.sha256 == hashlib.sha256(data).hexdigest()
        )
    )
