"""Forms for partners, press, mentions, outcomes and documents."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from coworking.dates import YearInRange
from coworking.documents.models import DOCUMENT_KINDS
from coworking.ids import parse_id
from coworking.kinds import OUTCOME_KINDS, PARTNER_KINDS, PARTNER_ROLES


def _choices(mapping: dict) -> list[tuple[str, str]]:
    return [(key, label) for key, label in mapping.items()]


def _optional_int(value: object) -> int | None:
    return parse_id(value)


def _required_id(value: object) -> int:
    """Coerce a chosen id; ValueError (an invalid choice) unless 1 to 2**31-1."""
    number = parse_id(value)
    if number is None:
        raise ValueError(value)
    return number


class CheckboxListField(SelectMultipleField):
    """Several checkboxes for one field (partner roles)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PartnerForm(FlaskForm):
    name = StringField(
        _l("Nom"), validators=[DataRequired(_l("Donnez le nom du partenaire.")), Length(max=200)]
    )
    kind = SelectField(_l("Type"), choices=lambda: _choices(PARTNER_KINDS))
    roles = CheckboxListField(_l("Rôles"), choices=lambda: _choices(PARTNER_ROLES))
    since = DateField(_l("Partenaire depuis"), validators=[Optional(), YearInRange()])
    until = DateField(_l("Jusqu'au"), validators=[Optional(), YearInRange()])
    contact_name = StringField(_l("Contact"), validators=[Length(max=200)])
    contact_email = EmailField(
        _l("E-mail du contact"),
        validators=[
            Optional(),
            Email(_l("Adresse e-mail invalide."), check_deliverability=False),
            Length(max=254),
        ],
    )
    contact_phone = StringField(_l("Téléphone du contact"), validators=[Length(max=40)])
    website = StringField(_l("Site web"), validators=[Length(max=500)])
    address = StringField(_l("Adresse"), validators=[Length(max=300)])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=20000)])


class PressForm(FlaskForm):
    title = StringField(
        _l("Titre"), validators=[DataRequired(_l("Donnez le titre de l'article.")), Length(max=300)]
    )
    outlet = StringField(
        _l("Média"), validators=[DataRequired(_l("Indiquez le média.")), Length(max=200)]
    )
    author = StringField(_l("Auteur ou autrice"), validators=[Length(max=200)])
    published_on = DateField(
        _l("Date de parution"),
        validators=[DataRequired(_l("Indiquez la date de parution.")), YearInRange()],
    )
    url = StringField(_l("Lien vers l'article"), validators=[Length(max=500)])
    excerpt = TextAreaField(_l("Extrait"), validators=[Length(max=20000)])
    clipping = FileField(_l("Coupure (PDF, PNG, JPEG ou WebP)"))


class MentionImportForm(FlaskForm):
    archive = FileField(_l("Fichier"))
    hashtags = StringField(
        _l("Ne garder que les publications portant ces hashtags"), validators=[Length(max=500)]
    )
    account = StringField(_l("Compte Twitter/X de l'archive"), validators=[Length(max=100)])


class OutcomeForm(FlaskForm):
    kind = SelectField(_l("Type"), choices=lambda: _choices(OUTCOME_KINDS))
    title = StringField(
        _l("Titre"), validators=[DataRequired(_l("Donnez un titre.")), Length(max=200)]
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    happened_on = DateField(
        _l("Date"), validators=[DataRequired(_l("Indiquez la date.")), YearInRange()]
    )
    member_ids = SelectMultipleField(
        _l("Membres concernés"), coerce=_required_id, validate_choice=False
    )
    event_id = SelectField(
        _l("Événement où tout a commencé"), coerce=_optional_int, validate_choice=False
    )
    partner_id = SelectField(
        _l("Partenaire où tout a commencé"), coerce=_optional_int, validate_choice=False
    )
    testimonial = TextAreaField(_l("Témoignage (citation)"), validators=[Length(max=5000)])
    testimonial_author = StringField(_l("Auteur du témoignage"), validators=[Length(max=200)])
    consent = BooleanField(_l("La personne accepte que ce témoignage soit publié"))
    consent_on = DateField(_l("Date du consentement"), validators=[Optional(), YearInRange()])


class DocumentForm(FlaskForm):
    file = FileField(_l("Fichier (PDF, PNG, JPEG ou WebP)"))
    title = StringField(_l("Titre"), validators=[Length(max=200)])
    kind = SelectField(_l("Type de document"), choices=lambda: _choices(DOCUMENT_KINDS))
    partner_id = SelectField(_l("Partenaire"), coerce=_optional_int, validate_choice=False)
