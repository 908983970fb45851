"""The space: dashboard shell, space profile, check-ins."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register this feature's blueprints and commands."""
    from coworking.space import views

    app.register_blueprint(views.bp)
