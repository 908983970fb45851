"""Command: dossier — build the label dossier synchronously into a file."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from coworking.extensions import db
from coworking.label import dossier_build, services


def _parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.ClickException(
            f"{option} « {value[:20]} » n'est pas une date AAAA-MM-JJ."
        ) from None


@click.command("dossier")
@click.option("--from", "start", required=True, help="Premier jour de la période (AAAA-MM-JJ).")
@click.option("--to", "end", required=True, help="Dernier jour de la période (AAAA-MM-JJ).")
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Fichier PDF à écrire.",
)
@click.option("--lang", type=click.Choice(services.LANGUAGES), default="fr", show_default=True)
@click.option("--title", default=None, help="Titre du dossier (par défaut : la période).")
@click.option("--timings", is_flag=True, help="Afficher le temps passé dans chaque phase.")
@with_appcontext
def dossier_command(
    start: str, end: str, output: Path, lang: str, title: str | None, timings: bool
) -> None:
    """Build the label dossier of a period into a PDF file."""
    started = time.perf_counter()
    try:
        period = services.check_period(_parse_day(start, "--from"), _parse_day(end, "--to"))
        build = dossier_build.build_dossier(period, lang=lang, title=title)
    except services.DossierError as error:
        field = {"start": "--from", "end": "--to", "title": "--title", "lang": "--lang"}
        raise click.ClickException(
            f"{field.get(error.field or '', '')} : {error.message}".lstrip(" :")
        ) from None
    finally:
        db.session.rollback()
    # Write next to the target, then rename: a failure never leaves half a file.
    directory = output.resolve().parent
    if not directory.is_dir():
        raise click.ClickException(f"--output : le dossier {directory} n'existe pas.")
    fd, temporary = tempfile.mkstemp(prefix=".dossier-", suffix=".pdf", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(build.pdf)
        os.replace(temporary, output)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise click.ClickException(f"--output : écriture impossible ({error.strerror}).") from None
    elapsed = time.perf_counter() - started
    click.echo(str(output))
    click.echo(f"{build.page_count} pages")
    click.echo(f"{elapsed:.2f} s")
    click.echo(f"SHA-256 : {build.sha256}")
    for warning in build.warnings:
        click.echo(f"Avertissement : {warning}", err=True)
    if timings:
        for phase, seconds in build.timings.items():
            click.echo(f"  {phase:8} {seconds:7.3f} s")
