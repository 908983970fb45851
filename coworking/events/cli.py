"""Commands: import-events FILE [--from DATE] [--to DATE], ensure-event-kinds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from coworking.database import outside_write_lock
from coworking.dates import DateRangeError, parse_iso_date
from coworking.events import importers
from coworking.events import kinds as event_kinds
from coworking.extensions import db


@click.command("import-events")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--from",
    "start",
    metavar="AAAA-MM-JJ",
    help="Premier jour où les séries répétées sont développées (défaut : il y a cinq ans).",
)
@click.option(
    "--to",
    "end",
    metavar="AAAA-MM-JJ",
    help="Dernier jour où elles sont développées (défaut : dans deux ans).",
)
@with_appcontext
def import_events_command(file: Path, start: str | None, end: str | None) -> None:
    """Import an iCalendar file (idempotent by UID; all or nothing)."""
    expand_from, expand_to = _window(start, end)
    limit = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    try:
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise click.ClickException(f"{file} : lecture impossible ({error.strerror}).") from None
    if len(data) > limit:
        raise click.ClickException(f"{file} : fichier trop volumineux (plus de {limit} octets).")
    try:
        with outside_write_lock():  # no write lock while the file is read
            records = importers.read_calendar(data, expand_from=expand_from, expand_to=expand_to)
        report = importers.save_events(records)
    except importers.EventImportError as error:
        db.session.rollback()
        raise click.ClickException(f"{file} : {error.message}") from None
    db.session.commit()
    click.echo(
        f"{file} : {report.created} créés, {report.updated} mis à jour, "
        f"{report.unchanged} inchangés."
    )


def _window(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """Read the window of --from and --to (each optional), first day before last."""
    try:
        expand_from = parse_iso_date(start, "--from")
        expand_to = parse_iso_date(end, "--to")
    except DateRangeError as error:
        raise click.ClickException(f"{error.field} : {error.message}") from None
    if expand_from and expand_to and expand_to < expand_from:
        raise click.ClickException("--to : le dernier jour précède le premier (--from).")
    return expand_from, expand_to


@click.command("ensure-event-kinds")
@with_appcontext
def ensure_kinds_command() -> None:
    """Create the built-in event kinds that are missing."""
    added = event_kinds.ensure_default_kinds()
    db.session.commit()
    click.echo(f"{added} type(s) d'événement ajouté(s).")
