"""Commands: import-events FILE, ensure-event-kinds."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from coworking.events import importers, services
from coworking.extensions import db


@click.command("import-events")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def import_events_command(file: Path) -> None:
    """Import an iCalendar file (idempotent by UID; all or nothing)."""
    limit = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    try:
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise click.ClickException(f"{file} : lecture impossible ({error.strerror}).") from None
    if len(data) > limit:
        raise click.ClickException(f"{file} : fichier trop volumineux (plus de {limit} octets).")
    try:
        report = importers.import_calendar(data)
    except importers.EventImportError as error:
        db.session.rollback()
        raise click.ClickException(f"{file} : {error.message}") from None
    db.session.commit()
    click.echo(
        f"{file} : {report.created} créés, {report.updated} mis à jour, "
        f"{report.unchanged} inchangés."
    )


@click.command("ensure-event-kinds")
@with_appcontext
def ensure_kinds_command() -> None:
    """Create the built-in event kinds that are missing."""
    added = services.ensure_default_kinds()
    db.session.commit()
    click.echo(f"{added} type(s) d'événement ajouté(s).")
