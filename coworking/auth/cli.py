"""Commands: create-user and create-token."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from coworking.auth import services
from coworking.extensions import db


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
