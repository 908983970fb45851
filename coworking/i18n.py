"""Language and time zone choice, and the Jinja filters that format the French way."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_datetime, format_decimal, format_percent, get_locale
from flask_login import current_user

PARIS = ZoneInfo("Europe/Paris")


def select_locale() -> str:
    """Return the user's language: their saved choice, the session's, else French."""
    languages = current_app.config["COWORKING_LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    if session.get("lang") in languages:
        return session["lang"]
    if request and request.args.get("lang") in languages:
        return request.args["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["COWORKING_TIMEZONE"]


def to_paris(value: datetime) -> datetime:
    """Return an aware datetime in Europe/Paris."""
    return value.astimezone(PARIS)


def format_money(cents: int | None, currency: str = "EUR") -> str:
    """Format an amount in cents as « 1 234,50 € »."""
    if cents is None:
        return ""
    from flask_babel import format_currency

    return format_currency(Decimal(cents) / 100, currency)


@lru_cache(maxsize=8192)
def _formatted_date(value: date, fmt: str, locale: str) -> str:
    """Format a date with Babel, once per date, format and language (a list shows hundreds)."""
    return babel_dates.format_date(value, fmt, locale=locale)


def register_filters(app: Flask) -> None:
    """Add the formatting filters to Jinja."""

    def date_filter(value: date | datetime | None, fmt: str = "long") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = to_paris(value).date()
        return _formatted_date(value, fmt, str(get_locale()))

    def datetime_filter(value: datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return ""
        return format_datetime(value, fmt)

    def time_filter(value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, "HH:mm")

    def number_filter(value: float | int | None, digits: int | None = None) -> str:
        if value is None:
            return "—"
        if digits is not None:
            return format_decimal(
                round(value, digits), format="#,##0." + "0" * digits if digits else "#,##0"
            )
        return format_decimal(value)

    def percent_filter(value: float | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        return format_percent(value, format="#,##0" + ("." + "0" * digits if digits else "") + " %")

    app.jinja_env.filters.update(
        date=date_filter,
        datetime=datetime_filter,
        time=time_filter,
        number=number_filter,
        percent=percent_filter,
        money=format_money,
    )
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
