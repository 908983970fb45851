"""Pagination with the count done in SQL (`?page=N`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select

from coworking.extensions import db


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def current_page_number() -> int:
    """Return ?page=N as a positive integer (1 when absent or invalid)."""
    value = request.args.get("page", "1")
    # ASCII digits only ("²".isdigit() is true) and a bound: ?page=10**30 is the last page.
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        return 1
    return max(1, int(value))


def paginate(
    query: Select[Any],
    total: int,
    *,
    per_page: int = 50,
    page: int | None = None,
    rows: bool = False,
) -> Page:
    """Return one page of a query whose total was counted in SQL.

    With rows=True the items are the select's rows (for a select of columns, cheaper to load
    than ORM objects when a list shows a few fields; run on the session's connection, they skip
    the ORM's result processing too); otherwise its first column's values.
    """
    number = page or current_page_number()
    last = max(1, -(-total // per_page))
    number = min(number, last)
    sliced = query.limit(per_page).offset((number - 1) * per_page)
    if rows:
        items = db.session.connection().execute(sliced).all()
    else:
        items = db.session.scalars(sliced).all()
    return Page(items=list(items), page=number, per_page=per_page, total=total)
