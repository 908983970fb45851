"""The label feature: criteria catalogue, readiness, and (later) the dossier."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the label pages and the readiness command."""
    from coworking.label import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.readiness_command)


def ensure_default_criteria() -> int:
    """Add the default criteria catalogue's missing criteria (for first-run and seed-demo)."""
    from coworking.label.criteria import ensure_default_criteria as ensure

    return ensure()
