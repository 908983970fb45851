"""What every feature's forms and form views share: the button form, create forms sent once,
French decimals, web links, and `service_call`, the one way a view commits a service's work or
shows its error on the form.
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
from sqlalchemy.exc import IntegrityError
from wtforms import DecimalField, HiddenField, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from coworking import submissions
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.urls import MAX_URL_LENGTH, clean_url

__all__ = [
    "ALREADY_SAVED",
    "CheckboxListField",
    "EmptyForm",
    "FrenchDecimalField",
    "OnceForm",
    "ServiceCall",
    "WebLink",
    "flash_form_errors",
    "service_call",
    "show_error",
]

ALREADY_SAVED = _l(
    "Déjà enregistré : ce formulaire a déjà été envoyé (retour en arrière ?), "
    "rien n'a été ajouté une deuxième fois."
)


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that post."""


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes (one tap each, on a phone too), not a multiple select
    that needs Ctrl+click; drawn by the ``choice_list`` macro of templates/macros/forms.html."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OnceForm(FlaskForm):
    """A create form saved once however many times it is sent (back, then submit again).

    Its hidden token is recorded by `service_call` with what the form creates; a form whose
    token is already recorded is refused with ALREADY_SAVED. A request without the token
    (a script, an older page) is not checked.
    """

    submission = HiddenField(default=submissions.new_token)

    def submitted_token(self) -> str | None:
        """Return the token this request carried, if it is one of ours."""
        raw = self.submission.raw_data or []
        token = raw[0] if raw else None
        return token if submissions.is_well_formed(token) else None

    def validate_submission(self, field: HiddenField) -> None:
        token = self.submitted_token()
        if token is not None and submissions.was_used(token):
            raise ValidationError(ALREADY_SAVED)

    def renew_submission(self) -> None:
        """Draw a new token (the form is shown again, empty, after it was saved)."""
        self.submission.data = submissions.new_token()
        self.submission.raw_data = []


class WebLink:
    """Accept an empty field or a web link (http or https, with a host), tidied up."""

    def __init__(self, max_length: int = 500, message: Any = None) -> None:
        self.max_length = min(max_length, MAX_URL_LENGTH)
        self.message = message or _l(
            "Lien refusé : seules les adresses web en http:// ou https:// sont acceptées."
        )

    def __call__(self, form: Any, field: Any) -> None:
        value = (field.data or "").strip()
        if not value:
            field.data = ""
            return
        cleaned = clean_url(value)
        if cleaned is None:
            raise ValidationError(self.message)
        if len(cleaned) > self.max_length:
            raise ValidationError(
                _l("Lien trop long (%(max)s caractères au plus).", max=self.max_length)
            )
        field.data = cleaned


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
        shown = with_labels and field is not None and not isinstance(field, HiddenField)
        label = field.label.text if shown and field is not None else None
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
        _record_submission(form)
    except ServiceError as error:
        db.session.rollback()
        call.error = error
        show_error(form, error.message, error.field, field)
        return
    db.session.commit()
    call.ok = True


def _record_submission(form: Any) -> None:
    """Record a create form's token with what it saved; refuse a token already recorded."""
    token = form.submitted_token() if isinstance(form, OnceForm) else None
    if token is None:
        return
    try:
        submissions.record(token)
    except IntegrityError:
        # The same form, sent twice at once: the other request saved it first.
        raise ServiceError(ALREADY_SAVED, "submission") from None
