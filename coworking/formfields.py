"""Form fields shared by several features."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

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
