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
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from coworking.dates import YearInRange, today
from coworking.documents.models import DOCUMENT_KINDS
from coworking.forms import CheckboxListField, OnceForm, WebLink
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
    website = StringField(_l("Site web"), validators=[Length(max=500), WebLink(500)])
    address = StringField(_l("Adresse"), validators=[Length(max=300)])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=20000)])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("La date de fin précède la date de début."))


class NewPartnerForm(OnceForm, PartnerForm):
    """The form of a new partner, saved once however many times it is sent."""


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
    url = StringField(_l("Lien vers l'article"), validators=[Length(max=500), WebLink(500)])
    excerpt = TextAreaField(_l("Extrait"), validators=[Length(max=20000)])
    clipping = FileField(_l("Coupure (PDF, PNG, JPEG ou WebP)"))


class NewPressForm(OnceForm, PressForm):
    """The form of a new press article, saved once however many times it is sent."""


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
    member_ids = CheckboxListField(
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

    def validate(self, extra_validators=None) -> bool:
        """Check every field, then the consent against the testimonial (one round)."""
        valid = super().validate(extra_validators)
        if not self.consent.data:
            return valid
        if not (self.testimonial.data or "").strip():
            self.testimonial.errors.append(
                _l("Le consentement porte sur un témoignage : saisissez le témoignage.")
            )
            return False
        if self.consent_on.data is None and not self.consent_on.errors:
            self.consent_on.errors.append(_l("Indiquez la date du consentement."))
            return False
        if self.consent_on.data is not None and self.consent_on.data > today():
            self.consent_on.errors.append(_l("La date du consentement ne peut pas être future."))
            return False
        return valid


class NewOutcomeForm(OnceForm, OutcomeForm):
    """The form of a new outcome, saved once however many times it is sent."""


class DocumentForm(OnceForm):
    file = FileField(_l("Fichier (PDF, PNG, JPEG ou WebP)"))
    title = StringField(_l("Titre"), validators=[Length(max=200)])
    kind = SelectField(_l("Type de document"), choices=lambda: _choices(DOCUMENT_KINDS))
    partner_id = SelectField(_l("Partenaire"), coerce=_optional_int, validate_choice=False)
