"""Commands: import-members, export-member, erase-member."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from coworking.extensions import db
from coworking.members import imports, personal_data, search
from coworking.members.csv_import import MemberCsvError, parse_members_csv

_DELIMITERS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}


@click.command("import-members")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Dire ce qui serait fait, sans rien écrire.")
@with_appcontext
def import_members_command(file: Path, dry_run: bool) -> None:
    """Import members from a CSV file, all or nothing (an existing e-mail is updated)."""
    if not file.exists():
        raise click.ClickException(f"{file} : fichier introuvable.")
    limit = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    if file.stat().st_size > limit:
        raise click.ClickException(
            f"{file} : fichier trop volumineux ({limit // (1024 * 1024)} Mo au plus)."
        )
    try:
        parsed = parse_members_csv(file.read_bytes())
    except MemberCsvError as error:
        lines = "\n".join(f"  {line}" for line in str(error).splitlines())
        raise click.ClickException(
            f"{file} : import refusé, rien n'a été écrit.\n{lines}"
        ) from None
    if dry_run:
        report = imports.plan_import(parsed)
    else:
        report = imports.import_members(parsed)
        db.session.commit()
    delimiter = _DELIMITERS.get(report.delimiter, report.delimiter)
    click.echo(f"{file} : {report.encoding}, séparateur {delimiter}.")
    if report.ignored_columns:
        click.echo("Colonnes ignorées : " + ", ".join(report.ignored_columns))
    verb = "seraient" if dry_run else "sont"
    click.echo(f"{report.created} membres {verb} créés, {report.updated} {verb} mis à jour.")
    if dry_run:
        click.echo("Essai à blanc : rien n'a été écrit.")


def _member_or_fail(ident: str):
    member = search.find_member(ident)
    if member is None:
        raise click.ClickException(f"Aucun membre « {ident} » (donnez un numéro ou un e-mail).")
    return member


@click.command("export-member")
@click.argument("ident")
@with_appcontext
def export_member_command(ident: str) -> None:
    """Print everything held about a member as JSON (GDPR access request)."""
    member = _member_or_fail(ident)
    click.echo(json.dumps(personal_data.export_member_data(member), ensure_ascii=False, indent=2))


@click.command("erase-member")
@click.argument("ident")
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
@with_appcontext
def erase_member_command(ident: str, yes: bool) -> None:
    """Erase a member's personal data; visits and attendance still count (GDPR erasure)."""
    member = _member_or_fail(ident)
    if member.erased_at is not None:
        click.echo(f"Le membre n°{member.id} est déjà effacé.")
        return
    if not yes and sys.stdin.isatty():
        click.confirm(f"Effacer les données personnelles du membre n°{member.id} ?", abort=True)
    member_id = member.id
    personal_data.erase_member(member)
    db.session.commit()
    personal_data.purge_deleted_bytes()
    click.echo(f"Membre n°{member_id} effacé.")


COMMANDS = (import_members_command, export_member_command, erase_member_command)
