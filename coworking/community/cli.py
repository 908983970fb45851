"""Command: import-mentions."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from coworking.community import mention_import
from coworking.community.archive_records import ArchiveImportError
from coworking.database import immediate_writes
from coworking.extensions import db


@click.command("import-mentions")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--hashtag",
    "hashtags",
    multiple=True,
    help="Ne garder que les publications portant ce hashtag (répétable, avec ou sans #).",
)
@click.option("--account", default="", help="Compte auteur d'une archive Twitter/X (@handle).")
@with_appcontext
def import_mentions_command(file: Path, hashtags: tuple[str, ...], account: str) -> None:
    """Import posts from a Twitter/X tweets.js, a Mastodon outbox.json or a CSV."""
    try:
        handle = file.open("rb")
    except OSError as error:
        raise click.ClickException(f"{file} : lecture impossible ({error.strerror}).") from None
    try:
        with handle:
            archive = mention_import.check_archive(
                handle, filename=file.name, hashtags=hashtags, account=account
            )
    except ArchiveImportError as error:
        db.session.rollback()
        raise click.ClickException(f"{file} : {error} Rien n'a été importé.") from None
    # One short transaction a batch, so that the kiosks keep writing; each takes SQLite's
    # write lock first (a batch reads then writes: deferred, it would fail at once as
    # soon as another writer went in between).
    with archive, immediate_writes():
        for _step in mention_import.write_archive(archive):
            db.session.commit()
    result = archive.result
    stats = result.stats
    click.echo(
        f"{file.name} ({stats.format}) : {result.total} publications importées "
        f"({result.created} nouvelles, {result.updated} déjà connues), "
        f"{result.suggested} liens vers des événements suggérés."
    )
    if stats.filtered_out:
        click.echo(f"{stats.filtered_out} publications écartées par le filtre de hashtags.")
    skipped = stats.skipped_reposts + stats.skipped_private + stats.skipped_other
    if skipped:
        click.echo(f"{skipped} éléments ignorés (partages d'autres comptes, messages privés…).")
