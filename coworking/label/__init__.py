"""The label feature: criteria catalogue, readiness, and the dossier."""

from __future__ import annotations

from flask import Flask

# Final dossiers keep their documents: registered with the documents feature on import.
from coworking.label import (
    cli,
    document_links,  # noqa: F401
    dossier_views,
    narrative_cli,
    narrative_views,  # noqa: F401  # its routes join the label blueprint on import
    views,
    worker,
)
from coworking.label.dossier_cli import dossier_command


def register(app: Flask) -> None:
    """Register the label pages, the dossier archive and the readiness and dossier commands."""
    app.register_blueprint(views.bp)
    app.register_blueprint(dossier_views.bp)
    app.cli.add_command(cli.readiness_command)
    app.cli.add_command(cli.load_criteria_command)
    app.cli.add_command(narrative_cli.narrative_group)
    app.cli.add_command(dossier_command)
    worker.init_app(app)
