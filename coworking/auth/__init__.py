"""Accounts: login and logout, roles on the server, user administration, API tokens."""

from __future__ import annotations

from flask import Flask

from coworking.auth import cli, loaders, views

__all__ = ["register"]


def register(app: Flask) -> None:
    """Register the login pages, the account administration and the account commands."""
    loaders.init_loaders()
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.create_user_command)
    app.cli.add_command(cli.create_token_command)
