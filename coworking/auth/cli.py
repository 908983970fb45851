"""Commands: create-user and first-run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from coworking.auth import services
from coworking.auth.models import User
from coworking.auth.roles import Role
from coworking.extensions import db

FIRST_RUN_EMAIL = "admin@coworking.local"


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, help="admin, manager ou viewer")
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
@with_appcontext
def create_user_command(email: str, role: str, password_stdin: bool) -> None:
    """Create an account (the password is prompted, or read from stdin)."""
    if password_stdin:
        lines = sys.stdin.read().splitlines()
        if not lines:
            raise click.ClickException("Aucun mot de passe reçu sur l'entrée standard.")
        password = lines[0]
        if len(lines) > 1 and lines[1] != password:
            raise click.ClickException("Les deux mots de passe reçus diffèrent.")
    else:
        password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email, password, role)
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Compte créé : {user.email} ({user.role})")


@click.command("first-run")
@click.option("--no-demo", is_flag=True, help="Ne pas charger les données de démonstration.")
@with_appcontext
def first_run_command(no_demo: bool) -> None:
    """Load demo data into an empty database, create an admin when none exists, say how to log in."""
    if not no_demo:
        _seed_demo_if_empty()
    _ensure_reference_data()
    credentials_file = Path(current_app.instance_path) / "first-run-credentials.txt"
    admins = db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active)
    )
    if not admins:
        password = services.generate_password()
        email = FIRST_RUN_EMAIL
        existing = services.find_user_by_email(email)
        if existing is not None:
            services.reset_password(existing, password)
            services.change_role(existing, Role.ADMIN)
            services.set_active(existing, True)
        else:
            services.create_user(email, password, Role.ADMIN)
        db.session.commit()
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{email}\n{password}\n")
    port = os.environ.get("PORT", "5000")
    click.echo("")
    click.echo("=" * 64)
    click.echo(f"  coworking : http://127.0.0.1:{port}")
    if credentials_file.exists():
        email, password = (credentials_file.read_text().splitlines() + ["", ""])[:2]
        click.echo(f"  Identifiant : {email}")
        click.echo(f"  Mot de passe : {password}")
        click.echo(f"  (gardés dans {credentials_file} ; supprimez ce fichier après")
        click.echo("   avoir changé le mot de passe dans Administration > Comptes)")
    else:
        click.echo("  Connectez-vous avec un compte administrateur existant ;")
        click.echo("  pour en créer un : flask --app coworking create-user EMAIL --role admin")
    click.echo("=" * 64)
    click.echo("")


def _ensure_reference_data() -> None:
    """Insert the built-in event kinds (and label criteria) a new space starts with."""
    from coworking.events.services import ensure_default_kinds

    ensure_default_kinds()
    db.session.commit()


def _seed_demo_if_empty() -> None:
    seed = current_app.extensions.get("coworking_seed_demo")
    if seed is None:
        return
    seed()


@click.command("create-token")
@click.option("--name", required=True, help="Nom du jeton (le kiosque, le script).")
@click.option("--role", default="manager", show_default=True, help="manager ou viewer")
@with_appcontext
def create_token_command(name: str, role: str) -> None:
    """Create an API token; the token alone is printed on the last line (shown once)."""
    try:
        token, clear = services.create_api_token(name, role)
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Jeton « {token.name} » créé ({token.role}). Gardez-le : il ne sera plus affiché.")
    click.echo(clear)
