"""Language and time zone choice, and the Jinja filters that format the French way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import (
    LazyString,
    format_currency,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    get_translations,
)
from flask_login import current_user
from jinja2.nodes import EvalContext
from jinja2.utils import pass_eval_context
from markupsafe import Markup

from coworking.dates import to_local

T = TypeVar("T")


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "mark for translation")
    """Mark a message for extraction (`make translations`); it is translated where it is shown."""
    return message


def select_locale() -> str:
    """Return the user's language: their saved choice, the session's, else French."""
    languages = current_app.config["COWORKING_LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if isinstance(user_locale, str) and user_locale in languages:
        return user_locale
    if session.get("lang") in languages:
        return session["lang"]
    if request and request.args.get("lang") in languages:
        return request.args["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["COWORKING_TIMEZONE"]


def format_money(cents: int | None, currency: str = "EUR") -> str:
    """Format an amount in cents as « 1 234,50 € »."""
    if cents is None:
        return ""
    return format_currency(Decimal(cents) / 100, currency)


def _per_language(name: str, compute: Callable[[], T]) -> T:
    """Return compute() cached for the language Flask-Babel settled on for this request.

    Flask-Babel finds the language and its catalogue anew at each call (several lookups through
    Flask's context proxies: a fifth of a member list's rendering time). The value is kept in
    Flask-Babel's own per-request namespace `g._flask_babel`, next to its language object;
    `force_locale` and `refresh` replace that object, so a change of language is seen at once.
    Should a later Flask-Babel keep them elsewhere, this only stops caching.
    """
    namespace = g.get("_flask_babel") if has_app_context() else None
    if namespace is not None:
        cached = getattr(namespace, name, None)
        if cached is not None and cached[0] is getattr(namespace, "babel_locale", None):
            return cached[1]
    value = compute()
    namespace = g.get("_flask_babel") if has_app_context() else None
    if namespace is not None:
        setattr(namespace, name, (get_locale(), value))
    return value


def current_translations() -> NullTranslations:
    """Return the current language's catalogue, cheaply enough for every `_()` of a page."""
    return _per_language("coworking_translations", get_translations)


def current_locale_name() -> str:
    """Return the current language's code ("fr", "en")."""
    return _per_language("coworking_locale_name", lambda: str(get_locale()))


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """Jinja's newstyle `_()` (escaped, always %-formatted), reading the per-request catalogue.

    It does what `jinja2.ext`'s wrapper does, without its two indirect calls per string: a
    list page says `_()` about fifty times.
    """
    translated = current_translations().ugettext(string)
    if eval_ctx.autoescape:
        # The message is ours (template source or catalogue), as in Jinja; variables are escaped.
        if variables:
            return Markup(translated) % variables  # noqa: S704
        return Markup(translated % {})  # noqa: S704
    return translated % variables


@pass_eval_context
def _template_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    # Positional-only: Jinja's `ngettext(s, p, n, num=…)` may name a variable « num ».
    variables.setdefault("num", num)
    translated = current_translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        return Markup(translated) % variables  # noqa: S704
    return translated % variables


def install_template_gettext(app: Flask) -> None:
    """Make the templates' `_()` and `ngettext()` use the per-request catalogue.

    Flask-Babel has installed Jinja's i18n extension (newstyle gettext); this replaces the two
    functions pages call, and leaves its pgettext and npgettext as they are.
    """
    app.jinja_env.globals.update(gettext=_template_gettext, ngettext=_template_ngettext)


@lru_cache(maxsize=8192)
def _formatted_date(value: date, fmt: str, locale: str) -> str:
    """Format a date with Babel, once per date, format and language (a list shows hundreds)."""
    return babel_dates.format_date(value, fmt, locale=locale)


def format_day(value: date | datetime | None, fmt: str = "long", locale: str | None = None) -> str:
    """Format a date (or a datetime's day in Paris) in the language given, else the current one;
    None gives ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return _formatted_date(value, fmt, locale or current_locale_name())


@lru_cache(maxsize=4096)
def _formatted_integer(value: int, locale: str) -> str:
    return babel_numbers.format_decimal(value, locale=locale)


def register_filters(app: Flask) -> None:
    """Add the formatting filters to Jinja."""

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
        if digits is None and type(value) is int:
            return _formatted_integer(value, current_locale_name())  # counts, shown on every list
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
        date=format_day,
        datetime=datetime_filter,
        time=time_filter,
        number=number_filter,
        percent=percent_filter,
        money=format_money,
    )
    app.jinja_env.globals["current_locale"] = current_locale_name
    install_template_gettext(app)


def _language_now() -> str:
    """Return the language of the moment: the request's, else the default; French outside an app."""
    locale = get_locale() if has_app_context() else None
    return str(locale) if locale else "fr"


def _number_now(value: float) -> str:
    return babel_numbers.format_decimal(value, locale=_language_now())


def _date_now(value: date, fmt: str) -> str:
    return babel_dates.format_date(value, fmt, locale=_language_now())


def lazy_number(value: float) -> LazyString:
    """Return a number for a lazy message, written the way of the language it is shown in.

    « 20 000 » and « 0,1 » in French, "20,000" and "0.1" in English: an error raised while a
    file is read is formatted when it is shown, like its message.
    """
    return LazyString(_number_now, value)


def lazy_date(value: date, fmt: str = "long") -> LazyString:
    """Return a date for a lazy message, written in the language it is shown in."""
    return LazyString(_date_now, value, fmt)
