"""Forms for members, plans, memberships, imports and the retention setting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from coworking.dates import YearInRange
from coworking.extensions import db
from coworking.forms import OnceForm
from coworking.members.csv_values import PARSERS, InvalidValue
from coworking.members.models import Member
from coworking.members.services import (
    MemberError,
    age_bracket_labels,
    parse_euros,
    plan_kind_labels,
    profession_labels,
)


class Parsed:
    """Check and tidy a field as the CSV import reads the same column: one rule for both."""

    def __init__(self, column: str) -> None:
        self.parse = PARSERS[column]

    def __call__(self, form: object, field: StringField) -> None:
        value = (field.data or "").strip()
        if not value:
            return
        try:
            field.data = self.parse(value)
        except InvalidValue as error:
            raise ValidationError(error.reason) from None


def _optional_text(label, max_length: int, *checks, **kwargs):
    return StringField(
        label,
        validators=[
            Optional(),
            Length(max=max_length, message=_l("%(max)d caractères au plus.", max=max_length)),
            *checks,
        ],
        **kwargs,
    )


class MemberForm(FlaskForm):
    first_name = StringField(_l("Prénom"), validators=[Length(max=100)])
    last_name = StringField(_l("Nom"), validators=[Length(max=100)])
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            Optional(),
            Email(_l("Adresse e-mail invalide."), check_deliverability=False),
            Length(max=254),
        ],
    )
    phone = _optional_text(_l("Téléphone"), 30, Parsed("phone"))
    twitter = _optional_text(
        _l("Twitter / X"), 100, Parsed("twitter"), description=_l("@identifiant")
    )
    mastodon = _optional_text(
        _l("Mastodon"), 200, Parsed("mastodon"), description=_l("@identifiant@instance")
    )
    linkedin = _optional_text(
        _l("LinkedIn"),
        200,
        Parsed("linkedin"),
        description=_l("Adresse du profil : https://www.linkedin.com/in/…"),
    )
    profession_category = SelectField(
        _l("Catégorie professionnelle"),
        choices=lambda: list(profession_labels().items()),
        default="autre",
        validate_choice=False,  # checked by the service, which names the field
    )
    profession_text = _optional_text(_l("Métier (ses mots)"), 200)
    organisation = _optional_text(_l("Structure"), 200)
    age_bracket = SelectField(
        _l("Tranche d'âge"),
        choices=lambda: [("", _l("Non renseignée")), *age_bracket_labels().items()],
        default="",
        validate_choice=False,
    )
    postcode = _optional_text(_l("Code postal"), 10, Parsed("postcode"))
    city = _optional_text(_l("Ville"), 100)
    joined_on = DateField(
        _l("Date d'adhésion"),
        validators=[InputRequired(_l("Donnez la date d'adhésion.")), YearInRange()],
        format="%Y-%m-%d",
    )
    left_on = DateField(
        _l("Date de départ"), validators=[Optional(), YearInRange()], format="%Y-%m-%d"
    )
    heard_from = _optional_text(_l("Comment nous a-t-il connus ?"), 200)
    consent_data = BooleanField(_l("Consent au traitement de ses données"))
    consent_data_on = DateField(
        _l("Donné le"), validators=[Optional(), YearInRange()], format="%Y-%m-%d"
    )
    consent_photos = BooleanField(_l("Accepte d'être photographié (droit à l'image)"))
    consent_photos_on = DateField(
        _l("Donné le"), validators=[Optional(), YearInRange()], format="%Y-%m-%d"
    )
    consent_newsletter = BooleanField(_l("Accepte de recevoir la lettre d'information"))
    consent_newsletter_on = DateField(
        _l("Donné le"), validators=[Optional(), YearInRange()], format="%Y-%m-%d"
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=10_000)])

    # The member being edited (None: a new one), so that its own e-mail is no clash.
    member_id: int | None = None

    def validate_last_name(self, field) -> None:
        if not (field.data or "").strip() and not (self.first_name.data or "").strip():
            raise ValidationError(_l("Donnez au moins un nom ou un prénom."))

    def validate_left_on(self, field) -> None:
        if field.data and self.joined_on.data and field.data < self.joined_on.data:
            raise ValidationError(_l("La date de départ précède la date d'adhésion."))

    def validate_email(self, field) -> None:
        email = (field.data or "").strip().lower()
        if not email:
            return
        clash = db.session.scalar(
            select(Member.id).where(Member.email == email, Member.id != (self.member_id or -1))
        )
        if clash is not None:
            raise ValidationError(_l("Un membre a déjà cette adresse e-mail."))


class NewMemberForm(OnceForm, MemberForm):
    """The member form of a new member, saved once however many times it is sent."""


class LeaveForm(FlaskForm):
    left_on = DateField(
        _l("Date de départ"),
        validators=[InputRequired(_l("Donnez la date de départ.")), YearInRange()],
        format="%Y-%m-%d",
    )


def _check_euros(field: StringField) -> None:
    """Refuse an amount in euros that is not one (the service reads it the same way)."""
    text = (field.data or "").strip()
    if not text:
        return
    try:
        parse_euros(text, field.name)
    except MemberError as error:
        raise ValidationError(error.message) from None


class PlanForm(OnceForm):
    name = StringField(
        _l("Nom de la formule"),
        validators=[InputRequired(_l("Donnez un nom.")), Length(max=100)],
    )
    kind = SelectField(_l("Type"), choices=lambda: list(plan_kind_labels().items()))
    price = StringField(_l("Prix (€)"), validators=[Optional(), Length(max=20)])
    active = BooleanField(_l("Proposée"), default=True)

    def validate_price(self, field) -> None:
        _check_euros(field)


class MembershipForm(OnceForm):
    plan_id = SelectField(_l("Formule"), coerce=int, choices=[])
    starts_on = DateField(
        _l("Début"),
        validators=[InputRequired(_l("Donnez la date de début.")), YearInRange()],
        format="%Y-%m-%d",
    )
    ends_on = DateField(
        _l("Fin"),
        validators=[Optional(), YearInRange()],
        format="%Y-%m-%d",
        description=_l("Laissez vide : calculée d'après la formule."),
    )
    amount = StringField(
        _l("Montant payé (€)"),
        validators=[Optional(), Length(max=20)],
        description=_l("Laissez vide : le prix de la formule."),
    )
    paid_on = DateField(_l("Payé le"), validators=[Optional(), YearInRange()], format="%Y-%m-%d")

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("La fin de l'adhésion précède son début."))

    def validate_amount(self, field) -> None:
        _check_euros(field)


class ImportForm(FlaskForm):
    file = FileField(_l("Fichier CSV"))


class ImportConfirmForm(FlaskForm):
    # The random id of the stored preview (MemberImportPreview), not the file itself.
    preview = HiddenField()


class RetentionForm(FlaskForm):
    years = IntegerField(
        _l("Effacer les membres partis depuis plus de (années)"),
        validators=[
            InputRequired(_l("Donnez un nombre d'années.")),
            NumberRange(1, 50, _l("Choisissez une durée entre 1 et 50 ans.")),
        ],
    )


def consent_dates(form: MemberForm) -> dict[str, object]:
    """Return the consents as the service expects them: a date, True, or False."""
    consents: dict[str, object] = {}
    for name in ("data", "photos", "newsletter"):
        given = getattr(form, f"consent_{name}").data
        on = getattr(form, f"consent_{name}_on").data
        consents[name] = (on or True) if given else False
    return consents
