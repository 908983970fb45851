"""The label feature."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register this feature's blueprints and commands."""
    from coworking.label import dossier_views
    from coworking.label.dossier_cli import dossier_command

    app.register_blueprint(dossier_views.bp)
    app.cli.add_command(dossier_command)
