"""Commands: export-data FILE and import-data FILE.

The signing key comes from a file (``--key-file``) or from ``COWORKING_BACKUP_KEY``, never
from a ``--key`` option: a command line shows in ``ps`` to every user of the machine and stays
in the shell's history, while a file (mode 600) or the environment stay with the operator.
"""

from __future__ import annotations

import math
import os

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from coworking.backup import archive, export, restore, signature
from coworking.backup.archive_check import Account, ArchiveCheck
from coworking.database import immediate_writes
from coworking.extensions import db

KEY_ENV = "COWORKING_BACKUP_KEY"
MAX_KEY_FILE_BYTES = 4096
UNSIGNED_WARNING = (
    "Attention : archive non signée. Ses SHA-256 détectent une archive abîmée, pas une archive "
    "modifiée : qui peut écrire le fichier peut y ajouter un compte et recalculer les sommes. "
    f"Signez vos exports avec une clé (--key-file ou {KEY_ENV})."
)

key_file_option = click.option(
    "--key-file",
    type=click.Path(dir_okay=False),
    help=f"File holding the signing key (else ${KEY_ENV}); at least 32 characters.",
)


def _read_key(key_file: str | None) -> bytes | None:
    """Return the signing key: the file given, else $COWORKING_BACKUP_KEY, else None."""
    if key_file is not None:
        try:
            with open(key_file, "rb") as handle:
                data = handle.read(MAX_KEY_FILE_BYTES + 1)
        except OSError as error:
            raise click.ClickException(
                f"{key_file} : lecture impossible ({error.strerror})."
            ) from None
        if len(data) > MAX_KEY_FILE_BYTES:
            raise click.ClickException(f"{key_file} : trop long pour une clé.")
        if os.stat(key_file).st_mode & 0o077:
            click.echo(
                f"Attention : {key_file} est lisible par d'autres que vous ; "
                f"« chmod 600 {key_file} ».",
                err=True,
            )
        origin = key_file
    else:
        data = os.environ.get(KEY_ENV, "").encode()
        if not data:
            return None
        origin = KEY_ENV
    key = data.strip()
    if len(key) < signature.MIN_KEY_BYTES:
        raise click.ClickException(
            f"{origin} : clé trop courte ({len(key)} octets, il en faut au moins "
            f"{signature.MIN_KEY_BYTES}). Créez-en une avec : "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return key


def _default_max_line() -> int:
    return archive.default_max_line_bytes(current_app.config["COWORKING_MAX_UPLOAD_BYTES"])


@click.command("export-data")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@key_file_option
@with_appcontext
def export_data_command(file: str, key_file: str | None) -> None:
    """Write every table (documents and dossiers included) to one archive FILE (a zip)."""
    key = _read_key(key_file)
    try:
        summary = export.export_archive(db.engine, db.metadata, file, key=key)
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
    longest = max(summary.tables, key=lambda table: table.longest_line, default=None)
    if longest is not None and longest.longest_line > _default_max_line():
        click.echo(
            f"Attention : la table {longest.name} a une ligne de "
            f"{archive.size_label(longest.longest_line)}, plus que ce que import-data lit sans "
            f"qu'on le lui demande ({archive.size_label(_default_max_line())}) : restaurez "
            f"cette archive avec « import-data --max-line-mb "
            f"{math.ceil(longest.longest_line / archive.MEBIBYTE)} ».",
            err=True,
        )
    click.echo(
        f"Archive écrite : {summary.path} ({len(summary.tables)} tables, {summary.rows} lignes, "
        f"révision {summary.revision or 'aucune'})."
    )
    if summary.signed:
        click.echo(
            "Archive signée (HMAC-SHA256 du manifeste) : import-data refusera, avec cette clé, "
            "une archive modifiée."
        )
    else:
        click.echo(UNSIGNED_WARNING, err=True)


def _accounts_line(title: str, accounts: list[Account]) -> str:
    if not accounts:
        return f"{title} : aucun."
    labels = ", ".join(
        f"{account.label} ({account.role}{'' if account.active else ', inactif'})"
        for account in accounts
    )
    return f"{title} ({len(accounts)}) : {labels}."


def _report_check(check: ArchiveCheck) -> None:
    """Say, before anything is written, whether the archive is signed and whom it lets in."""
    if check.signed:
        click.echo("Signature HMAC-SHA256 vérifiée : l'archive est celle de l'export.")
    else:
        click.echo(UNSIGNED_WARNING, err=True)
    click.echo(_accounts_line("Comptes restaurés", check.accounts))
    if check.tokens:
        click.echo(_accounts_line("Jetons d'API restaurés", check.tokens))


@click.command("import-data")
@click.argument("file", type=click.Path(dir_okay=False))
@key_file_option
@click.option(
    "--allow-unsigned",
    is_flag=True,
    help="Accept an archive without signature although a key is given.",
)
@click.option(
    "--max-line-mb",
    type=click.IntRange(min=1),
    help="Longest line read, in MiB (default: 64, or 4 × the upload limit).",
)
@with_appcontext
def import_data_command(
    file: str, key_file: str | None, allow_unsigned: bool, max_line_mb: int | None
) -> None:
    """Restore archive FILE into this database, which must be empty and migrated (one transaction)."""
    key = _read_key(key_file)
    max_line = max_line_mb * archive.MEBIBYTE if max_line_mb else _default_max_line()
    db.session.remove()
    try:
        with immediate_writes(), db.engine.begin() as connection:
            summary = restore.import_archive(
                connection,
                db.metadata,
                file,
                key=key,
                allow_unsigned=allow_unsigned,
                max_line_bytes=max_line,
                before_writing=_report_check,
            )
    except archive.ArchiveError as error:
        raise click.ClickException(f"{error.message} Rien n'a été écrit.") from None
    except DBAPIError as error:
        # A row the database refuses (a duplicate, a broken reference): rolled back.
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise click.ClickException(
            f"{file} : la base refuse une ligne de l'archive ({reason}). Rien n'a été écrit."
        ) from None
    click.echo(
        f"Archive restaurée : {summary.rows} lignes dans {len(summary.tables)} tables "
        f"(révision {summary.revision})."
    )
