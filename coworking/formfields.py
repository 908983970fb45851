"""Form fields, and the placing of service errors on forms, shared by several features."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField


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
        target = getattr(form, name, None) if name else None
        if target is not None and hasattr(target, "errors"):
            # WTForms keeps a tuple until the field is validated.
            target.errors = [*target.errors, message]
            return
    flash(message, "error")
