"""JSON request bodies read with bounds: a size for the API, and no crash on deep nesting."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

# A kiosk's check-in is a few hundred bytes; nothing the API takes comes near this.
API_MAX_CONTENT_LENGTH = 64 * 1024


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a document nested too deeply is invalid JSON, not a crash.

    ``json.loads`` raises RecursionError on ``[[[[…]]]]`` a few thousand levels deep;
    Flask's ``get_json`` only turns ValueError into a 400, so it became a 500.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def init_json(app: Flask) -> None:
    """Install the bounded JSON provider on the application."""
    app.json = BoundedJSONProvider(app)
