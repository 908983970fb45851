"""The refusal of a whole iCalendar file: why, which part of it and which line, translated."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _

from coworking.errors import ServiceError

__all__ = ["IcalImportError"]


class IcalImportError(ServiceError):
    """Refusal of a whole iCalendar file: the reason, the part named and the line, when known.

    The reason and the part's name may be lazy translations: ``reason``, ``component`` and
    ``message`` are rendered in the language of the moment they are read (French outside a
    request), and the error belongs next to the form's ``file`` field.
    """

    def __init__(self, reason: Any, component: Any = None, *, line: int | None = None) -> None:
        """Store the reason, the component named and the line, when known."""
        self._reason = reason
        self._component = component
        self.line = line
        super().__init__(LazyString(self._full_message), "file")

    @property
    def reason(self) -> str:
        """Return why the file is refused, in the current language."""
        return str(self._reason)

    @property
    def component(self) -> str | None:
        """Return the part of the file at fault (« VEVENT n°2 … »), or None."""
        return None if self._component is None else str(self._component)

    def _full_message(self) -> str:
        """Return the component, the line and the reason, in the current language."""
        text = self.reason
        if self.line is not None:
            text = _("ligne %(line)s : %(reason)s", line=self.line, reason=text)
        if self._component is not None:
            text = _("%(part)s : %(reason)s", part=self._component, reason=text)
        return text
