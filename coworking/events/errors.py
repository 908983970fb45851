"""The error of the events feature."""

from __future__ import annotations

from coworking.errors import ServiceError


class EventError(ServiceError):
    """A change refused because of what the user typed, with a message and a field."""
