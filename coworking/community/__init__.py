"""The community feature."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register this feature's blueprints and commands (none yet)."""
