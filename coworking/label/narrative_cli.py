"""Commands: narrative list, narrative set KEY --file TEXT.md — the applicant's texts from a shell."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from coworking.extensions import db
from coworking.label import narratives
from coworking.label.markdown_text import MAX_TEXT_CHARS

# Read at most this much: a file a little over the limit is measured, a huge one is not read whole.
READ_LIMIT = MAX_TEXT_CHARS * 4 + 4


@click.group("narrative")
def narrative_group() -> None:
    """The applicant's texts of the dossier (Markdown)."""


@narrative_group.command("list")
@with_appcontext
def list_command() -> None:
    """Print one key and title per line."""
    with force_locale("fr"):
        for section in narratives.NARRATIVE_SECTIONS:
            click.echo(f"{section.key}\t{section.title}")


@narrative_group.command("set")
@click.argument("key")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier Markdown en UTF-8 (20 000 caractères au plus).",
)
@click.option("--lang", type=click.Choice(narratives.LANGUAGES), default="fr", show_default=True)
@with_appcontext
def set_command(key: str, path: Path, lang: str) -> None:
    """Set a section's text from a Markdown file (UTF-8)."""
    with force_locale("fr"):
        try:
            narratives.section(key)
        except narratives.NarrativeError as error:
            raise click.ClickException(f"KEY : {error.message}") from None
        try:
            with path.open("rb") as handle:
                raw = handle.read(READ_LIMIT)
        except OSError as error:
            raise click.ClickException(
                f"--file : lecture impossible de {path} ({error.strerror})."
            ) from None
        if len(raw) >= READ_LIMIT:
            raise click.ClickException(
                f"--file : {path} dépasse {MAX_TEXT_CHARS:,} caractères.".replace(",", "\u202f")
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise click.ClickException(
                f"--file : {path} n'est pas en UTF-8 (octet {error.start + 1})."
            ) from None
        try:
            narratives.save_narrative(key, lang, text, by="cli")
            db.session.commit()
        except narratives.NarrativeError as error:
            db.session.rollback()
            raise click.ClickException(f"--file : {error.message}") from None
    click.echo(f"{key} ({lang}) : {len(text)} caractères enregistrés.")
