"""The stats feature: indicators over a period, monthly series, mixes and charts."""

from __future__ import annotations

from flask import Flask

from coworking.stats import cli, views


def register(app: Flask) -> None:
    """Register the indicators API and the indicators command."""
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.indicators_command)
