"""Commands: seed-demo, and first-run (demo data, reference rows and an admin for a new space)."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from coworking.auth import services as accounts
from coworking.auth.models import User
from coworking.events.kinds import ensure_default_kinds
from coworking.extensions import db
from coworking.label.criteria import ensure_default_criteria
from coworking.roles import Role
from coworking.seed import demo

FIRST_RUN_EMAIL = "admin@coworking.local"
CREDENTIALS_FILE = "first-run-credentials.txt"


@click.command("seed-demo")
@click.option(
    "--members",
    type=click.IntRange(min=1, max=100_000),
    default=demo.DEFAULT_MEMBERS,
    show_default=True,
    help="Nombre de membres.",
)
@click.option(
    "--years",
    type=click.IntRange(min=1, max=30),
    default=demo.DEFAULT_YEARS,
    show_default=True,
    help="Nombre d'années d'historique, jusqu'à aujourd'hui.",
)
@click.option(
    "--seed",
    type=int,
    default=demo.DEFAULT_SEED,
    show_default=True,
    help="Graine du générateur : la même graine donne les mêmes données.",
)
@with_appcontext
def seed_demo_command(members: int, years: int, seed: int) -> None:
    """Fill an empty database with a realistic, deterministic demo community (fictional people)."""
    try:
        result = demo.seed_demo(members=members, years=years, seed=seed)
    except demo.DatabaseNotEmpty as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    # One commit for everything: at full scale (5,700 members over ten years, 93,000 rows)
    # the command peaks under 200 MB, so the seed needs no intermediate commit for memory.
    db.session.commit()
    click.echo(
        f"Données de démonstration chargées ({result.first_day.isoformat()} → "
        f"{result.last_day.isoformat()}) en {result.seconds:.1f} s "
        f"(génération {result.phases['generate']:.1f} s, écriture {result.phases['insert']:.1f} s) :"
    )
    for table, count in result.counts.items():
        click.echo(f"  {table:<18} {count:>8}")


@click.command("first-run")
@click.option("--no-demo", is_flag=True, help="Ne pas charger les données de démonstration.")
@with_appcontext
def first_run_command(no_demo: bool) -> None:
    """Load demo data into an empty database, create an admin when none exists, say how to log in."""
    if not no_demo and demo.seed_demo_if_empty():
        click.echo("Base vide : données de démonstration chargées (une communauté fictive).")
    _ensure_reference_data()
    created = _ensure_admin()
    db.session.commit()
    credentials_file = Path(current_app.instance_path) / CREDENTIALS_FILE
    if created:
        # Written once the account exists: the file never names one that was rolled back.
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{created[0]}\n{created[1]}\n")
    _print_how_to_log_in(created, credentials_file)


def _ensure_reference_data() -> None:
    """Insert the built-in event kinds (and label criteria) a new space starts with."""
    ensure_default_kinds()
    ensure_default_criteria()


def _ensure_admin() -> tuple[str, str] | None:
    """Give the first-run account a new password and the admin role when no active admin exists.

    Return its e-mail and password when it was made (flushes; the command commits).
    """
    admins = db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active)
    )
    if admins:
        return None
    password = accounts.generate_password()
    existing = accounts.find_user_by_email(FIRST_RUN_EMAIL)
    if existing is not None:
        accounts.reset_password(existing, password)
        accounts.change_role(existing, Role.ADMIN)
        accounts.set_active(existing, True)
    else:
        accounts.create_user(FIRST_RUN_EMAIL, password, Role.ADMIN)
    return FIRST_RUN_EMAIL, password


def _print_how_to_log_in(created: tuple[str, str] | None, credentials_file: Path) -> None:
    """Print the address, and the account to log in with (its password only when just made)."""
    port = os.environ.get("PORT", "5000")
    click.echo("")
    click.echo("=" * 64)
    click.echo(f"  coworking : http://127.0.0.1:{port}")
    if created:
        # Printed once, when the account is made; afterwards only the file keeps it.
        click.echo(f"  Identifiant : {created[0]}")
        click.echo(f"  Mot de passe : {created[1]}")
        click.echo(f"  (aussi dans {credentials_file}, lisible par vous seul ;")
        click.echo("   changez-le dans Administration > Comptes, puis supprimez ce fichier)")
    elif credentials_file.exists():
        email = credentials_file.read_text().splitlines()[0]
        click.echo(f"  Identifiant : {email}")
        click.echo(f"  Mot de passe : celui du premier lancement, gardé dans {credentials_file}")
    else:
        click.echo("  Connectez-vous avec un compte administrateur existant ;")
        click.echo("  pour en créer un : flask --app coworking create-user EMAIL --role admin")
    click.echo("=" * 64)
    click.echo("")
