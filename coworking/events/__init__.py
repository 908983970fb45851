"""The events feature: the programme, attendance, calendar import and public feeds."""

from __future__ import annotations

from flask import Flask

# What the events hold about members, and their card on members' pages, registered on import.
from coworking.events import (  # noqa: F401
    cli,
    member_sections,
    personal_data,
    roll_call_views,
    views,
)


def register(app: Flask) -> None:
    """Register this feature's blueprint and commands."""
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.import_events_command)
    app.cli.add_command(cli.ensure_kinds_command)
