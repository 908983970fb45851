"""The community feature: partners, press, mentions, outcomes and documents."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register this feature's blueprint and the import-mentions command."""
    from coworking.community import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.import_mentions_command)
