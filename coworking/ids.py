"""Read a database id typed by a user (query string, form, JSON)."""

from __future__ import annotations

MAX_ID = 2**31 - 1


def parse_id(value: object) -> int | None:
    """Return the id as an int, or None unless it is 1 to 2**31-1 written in ASCII digits.

    ``str.isdigit()`` accepts « ² » or Arabic-Indic digits that ``int()`` then refuses
    or that overflow the database's INTEGER: use this instead.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
            return None
        number = int(text)
    return number if 1 <= number <= MAX_ID else None
