"""The community feature: the pages of partners, press, mentions, outcomes and documents."""

from __future__ import annotations

from flask import Flask

# What the community holds about members, and its card on their pages, registered on import.
from coworking.community import (  # noqa: F401  # noqa: F401 (each adds its routes to the blueprint)
    cli,
    document_views,
    member_sections,
    mention_views,
    outcome_views,
    partner_views,
    personal_data,
    press_views,
    views,
)

__all__ = ["register"]


def register(app: Flask) -> None:
    """Register this feature's blueprint and the import-mentions command."""
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.import_mentions_command)
