"""Backup and restore: the whole database to one archive, and back (also SQLite → PostgreSQL)."""

from __future__ import annotations

from flask import Flask

from coworking.backup import cli


def register(app: Flask) -> None:
    """Register this feature's commands (export-data, import-data)."""
    app.cli.add_command(cli.export_data_command)
    app.cli.add_command(cli.import_data_command)
