"""The space: dashboard shell, space profile, check-ins."""

from __future__ import annotations

from flask import Flask

# What the front desk holds about members, and its card on their page, registered on import.
from coworking.space import checkin_views, member_sections, personal_data, views  # noqa: F401


def register(app: Flask) -> None:
    """Register this feature's blueprints and commands."""
    app.register_blueprint(views.bp)
    app.register_blueprint(checkin_views.bp)
