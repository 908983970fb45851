"""The members feature: members, plans and memberships, CSV import/export, GDPR."""

from __future__ import annotations

from flask import Flask

from coworking.members import admin_views, cli, import_views, views

__all__ = ["register"]

# The import and admin pages add their routes to the members blueprint when imported.
_ROUTE_MODULES = (import_views, admin_views)


def register(app: Flask) -> None:
    """Register this feature's blueprint and commands."""
    app.register_blueprint(views.bp)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
