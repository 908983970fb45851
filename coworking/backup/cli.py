"""Commands: export-data FILE and import-data FILE."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from coworking.backup import archive
from coworking.database import immediate_writes
from coworking.extensions import db


@click.command("export-data")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_data_command(file: str) -> None:
    """Write every table (documents and dossiers included) to one archive FILE (a zip)."""
    try:
        summary = archive.export_archive(db.engine, db.metadata, file)
    except archive.ArchiveError as error:
        raise click.ClickException(error.message) from None
    except OSError as error:
        raise click.ClickException(f"{file} : écriture impossible ({error.strerror}).") from None
    if summary.revision is None:
        click.echo(
            "Attention : la base n'est pas migrée (pas de table alembic_version) ; cette archive "
            "ne pourra être restaurée qu'après l'avoir régénérée depuis une base migrée.",
            err=True,
        )
    click.echo(
        f"Archive écrite : {summary.path} ({len(summary.tables)} tables, {summary.rows} lignes, "
        f"révision {summary.revision or 'aucune'})."
    )


@click.command("import-data")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def import_data_command(file: str) -> None:
    """Restore archive FILE into this database, which must be empty and migrated (one transaction)."""
    db.session.remove()
    try:
        with immediate_writes(), db.engine.begin() as connection:
            summary = archive.import_archive(connection, db.metadata, file)
    except archive.ArchiveError as error:
        raise click.ClickException(f"{error.message} Rien n'a été écrit.") from None
    click.echo(
        f"Archive restaurée : {summary.rows} lignes dans {len(summary.tables)} tables "
        f"(révision {summary.revision})."
    )
