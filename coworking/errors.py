"""The error every service raises for what a user got wrong: a message and the field at fault."""

from __future__ import annotations

from typing import Any

__all__ = ["ServiceError"]


class ServiceError(ValueError):
    """A change refused because of what the user gave, in their language, naming the field.

    ``message`` may be a lazy translation: it is rendered in the language of the moment it
    is read (French outside an application). Views put it next to ``field`` on their form
    (`coworking.forms.service_call`); commands print it.
    """

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self._message = message
        self.field = field

    @property
    def message(self) -> str:
        """Return the message in the current language."""
        return str(self._message)

    def __str__(self) -> str:
        return self.message
