"""What every feature's forms and form views share: the button form, French decimals, and
`service_call`, the one way a view commits a service's work or shows its error on the form.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField

from coworking.errors import ServiceError
from coworking.extensions import db

__all__ = [
    "EmptyForm",
    "FrenchDecimalField",
    "ServiceCall",
    "flash_form_errors",
    "service_call",
    "show_error",
]


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that post."""


class FrenchDecimalField(DecimalField):
    """A decimal number typed with a comma (« 1,5 » or « 12,50 ») or a dot.

    Only finite numbers are accepted: « inf », « NaN » or « 1e400 » are refused
    with a French error (bound the value with ``NumberRange`` as usual).
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        text = text.replace(",", ".")
        if not text:
            self.data = None
            return
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            number = None
        # Only plain numbers: no exponent (« 1e400 »), no infinity, no NaN.
        if number is None or not number.is_finite() or "e" in text.lower():
            self.data = None
            raise ValueError(_l("Saisissez un nombre, par exemple 1,5."))
        self.data = number


def show_error(form: Any, message: str, field: str | None, default: str | None = None) -> None:
    """Put a service's error next to its field (else the default one), or flash it above the form."""
    for name in (field, default):
        target = getattr(form, name, None) if name and form is not None else None
        if target is not None and hasattr(target, "errors"):
            # WTForms keeps a tuple until the field is validated.
            target.errors = [*target.errors, message]
            return
    flash(message, "error")


def flash_form_errors(form: Any, *, with_labels: bool = False) -> None:
    """Flash every error of a form that is not shown on the page (a button, a card's form)."""
    for name, errors in form.errors.items():
        field = getattr(form, name, None)
        label = field.label.text if with_labels and field is not None else None
        for message in errors:
            flash(f"{label} : {message}" if label else message, "error")


@dataclass
class ServiceCall:
    """What the block of `service_call` came to: ``ok`` once its work is committed."""

    ok: bool = False
    error: ServiceError | None = None


@contextmanager
def service_call(form: Any = None, *, field: str | None = None) -> Iterator[ServiceCall]:
    """Commit the block's service calls, or roll them back and show the error where it belongs.

    Services flush and never commit; the view commits once. Used as::

        with service_call(form, field="email") as call:
            user = services.create_user(form.email.data, ...)
        if call.ok:
            flash(...)
            return redirect(...)
        return render_template(...), 400

    A ServiceError raised in the block is put next to its field on ``form`` (else on
    ``field``, else flashed above the page) and does not propagate; any other exception does.
    """
    call = ServiceCall()
    try:
        yield call
    except ServiceError as error:
        db.session.rollback()
        call.error = error
        show_error(form, error.message, error.field, field)
        return
    db.session.commit()
    call.ok = True
