"""The community feature: partners, press, mentions, outcomes and documents."""

from __future__ import annotations

from flask import Flask

# What the community holds about members, and its card on their pages, registered on import.
from coworking.community import member_sections, personal_data  # noqa: F401


def register(app: Flask) -> None:
    """Register this feature's blueprint and the import-mentions command."""
    from coworking.community import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.import_mentions_command)
