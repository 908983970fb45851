"""The members feature: members, plans and memberships, CSV import/export, GDPR."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register this feature's blueprint and commands."""
    from coworking.members import cli, views

    app.register_blueprint(views.bp)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
