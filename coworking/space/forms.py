"""Forms for the space profile, its board, general assemblies, budget lines and logo."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from coworking.dates import YearInRange, today
from coworking.forms import FrenchDecimalField, OnceForm, WebLink
from coworking.members.csv_values import InvalidValue, parse_postcode
from coworking.space.profile import (
    BUDGET_DIRECTIONS,
    INCOME_SOURCES,
    NUMBER_MAXIMA,
    PROFILE_FIELDS,
    WEEKDAYS,
    is_finite_number,
    siret_problem,
)

_MONEY_RE = re.compile(r"^[0-9]{1,9}([.,][0-9]{1,2})?$")
# The largest amount of a budget line: 10 000 000 €.
MAX_MONEY_CENTS = 10_000_000_00


class MoneyField(StringField):
    """An amount in euros typed the French way (« 1 200,50 »), kept as cents in ``cents``."""

    cents: int | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.cents = None
        text = (self.data or "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        text = text.removesuffix("€")
        if not text:
            return
        if not _MONEY_RE.match(text):
            raise ValidationError(_l("Montant invalide : écrivez par exemple 1200 ou 1200,50."))
        try:
            cents = int(Decimal(text.replace(",", ".")) * 100)
        except InvalidOperation:
            raise ValidationError(_l("Montant invalide.")) from None
        if cents > MAX_MONEY_CENTS:
            raise ValidationError(_l("Montant hors limites (10 000 000 € au plus)."))
        self.cents = cents


def _optional_number(label: Any, maximum: int) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("Saisissez un nombre positif.")),
            NumberRange(max=maximum, message=_l("%(max)s au plus.", max=maximum)),
        ],
    )


# The profile fields the form copies as they are; hours and staff FTE need converting.
PLAIN_FIELDS = tuple(name for name in PROFILE_FIELDS if name not in ("opening_hours", "staff_fte"))


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Nom de l'espace"),
        validators=[DataRequired(_l("Donnez le nom de l'espace.")), Length(max=200)],
    )
    short_name = StringField(_l("Nom court"), validators=[Optional(), Length(max=100)])
    legal_form = StringField(
        _l("Forme juridique"),
        validators=[Optional(), Length(max=100)],
        description=_l("Par exemple : association loi 1901, SCIC, SAS."),
    )
    siret = StringField(
        _l("SIRET"),
        validators=[Optional(), Length(max=20)],
        description=_l("14 chiffres ; la clé de contrôle est vérifiée."),
    )
    address = StringField(_l("Adresse"), validators=[Optional(), Length(max=300)])
    postcode = StringField(_l("Code postal"), validators=[Optional(), Length(max=16)])
    city = StringField(_l("Ville"), validators=[Optional(), Length(max=100)])
    founded_on = DateField(_l("Date de création"), validators=[Optional(), YearInRange()])
    website = StringField(_l("Site web"), validators=[Optional(), Length(max=300), WebLink(300)])
    email = EmailField(
        _l("E-mail de contact"),
        validators=[
            Optional(),
            Email(_l("Adresse e-mail invalide."), check_deliverability=False),
            Length(max=254),
        ],
    )
    surface_m2 = _optional_number(_l("Surface (m²)"), NUMBER_MAXIMA["surface_m2"])
    desks = _optional_number(_l("Postes de travail"), NUMBER_MAXIMA["desks"])
    meeting_rooms = _optional_number(_l("Salles de réunion"), NUMBER_MAXIMA["meeting_rooms"])
    hours_0 = StringField(WEEKDAYS[0][1], validators=[Optional(), Length(max=100)])
    hours_1 = StringField(WEEKDAYS[1][1], validators=[Optional(), Length(max=100)])
    hours_2 = StringField(WEEKDAYS[2][1], validators=[Optional(), Length(max=100)])
    hours_3 = StringField(WEEKDAYS[3][1], validators=[Optional(), Length(max=100)])
    hours_4 = StringField(WEEKDAYS[4][1], validators=[Optional(), Length(max=100)])
    hours_5 = StringField(WEEKDAYS[5][1], validators=[Optional(), Length(max=100)])
    hours_6 = StringField(WEEKDAYS[6][1], validators=[Optional(), Length(max=100)])
    internet = StringField(
        _l("Wi-Fi / fibre"),
        validators=[Optional(), Length(max=200)],
        description=_l("Par exemple : Wi-Fi et fibre 1 Gb/s."),
    )
    accessibility = TextAreaField(_l("Accessibilité"), validators=[Optional(), Length(max=4000)])
    prices = TextAreaField(_l("Tarifs"), validators=[Optional(), Length(max=4000)])
    day_pass_offered = BooleanField(_l("Accueil à la journée proposé"))
    staff_fte = FrenchDecimalField(
        _l("Salariés (ETP)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("Saisissez un nombre positif.")),
            NumberRange(
                max=NUMBER_MAXIMA["staff_fte"],
                message=_l("%(max)s au plus.", max=NUMBER_MAXIMA["staff_fte"]),
            ),
        ],
    )
    volunteers = _optional_number(_l("Bénévoles"), NUMBER_MAXIMA["volunteers"])
    description = TextAreaField(_l("Présentation"), validators=[Optional(), Length(max=10000)])

    def validate_siret(self, field: StringField) -> None:
        problem = siret_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_founded_on(self, field: DateField) -> None:
        if field.data and field.data > today():
            raise ValidationError(_l("La date de création ne peut pas être dans le futur."))

    def validate_postcode(self, field: StringField) -> None:
        try:
            field.data = parse_postcode(field.data)
        except InvalidValue as error:
            raise ValidationError(error.reason) from None

    def hour_fields(self) -> list[Any]:
        return [getattr(self, f"hours_{key}") for key, _label in WEEKDAYS]

    def fill_from(self, profile: Any) -> None:
        """Fill the form from the stored profile (GET)."""
        for name in PLAIN_FIELDS:
            getattr(self, name).data = getattr(profile, name)
        # A non-finite value stored before the bounds existed shows as empty, not a crash.
        fte = profile.staff_fte
        self.staff_fte.data = Decimal(str(fte)) if is_finite_number(fte) else None
        hours = profile.opening_hours or {}
        for key, _label in WEEKDAYS:
            getattr(self, f"hours_{key}").data = hours.get(key, "")

    def values(self) -> dict[str, Any]:
        """Return the typed values for profile.update_profile."""
        values: dict[str, Any] = {name: getattr(self, name).data for name in PLAIN_FIELDS}
        values["staff_fte"] = (
            float(self.staff_fte.data) if self.staff_fte.data is not None else None
        )
        values["opening_hours"] = {
            key: getattr(self, f"hours_{key}").data or "" for key, _label in WEEKDAYS
        }
        return values


class BoardMemberForm(OnceForm):
    # Ids of their own: the profile form on the same page has a "name" field too.
    name = StringField(
        _l("Nom"),
        id="board-name",
        validators=[DataRequired(_l("Donnez le nom.")), Length(max=200)],
    )
    role = StringField(
        _l("Rôle"),
        id="board-role",
        validators=[DataRequired(_l("Donnez le rôle.")), Length(max=100)],
        description=_l("Président, trésorière, secrétaire…"),
    )


class GeneralAssemblyForm(OnceForm):
    held_on = DateField(
        _l("Date"),
        validators=[DataRequired(_l("Donnez la date de l'assemblée générale.")), YearInRange()],
    )
    members_present = _optional_number(_l("Membres présents"), 100_000)
    members_represented = _optional_number(_l("Membres représentés"), 100_000)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


def _direction_choices() -> list[tuple[str, Any]]:
    return list(BUDGET_DIRECTIONS.items())


def _source_choices() -> list[tuple[str, Any]]:
    return [("", _l("— (dépense)"))] + list(INCOME_SOURCES.items())


class BudgetLineForm(OnceForm):
    year = IntegerField(
        _l("Année"),
        validators=[
            DataRequired(_l("Saisissez une année sur quatre chiffres.")),
            NumberRange(min=1900, max=2200, message=_l("Saisissez une année sur quatre chiffres.")),
        ],
    )
    direction = SelectField(_l("Sens"), choices=_direction_choices)
    category = StringField(
        _l("Catégorie"),
        validators=[DataRequired(_l("Donnez la catégorie.")), Length(max=100)],
        description=_l("Loyer, salaires, subvention de la ville…"),
    )
    source = SelectField(_l("Origine (recettes)"), choices=_source_choices, validate_choice=True)
    amount = MoneyField(_l("Montant (€)"), validators=[DataRequired(_l("Saisissez un montant."))])


class LogoForm(FlaskForm):
    logo = FileField(_l("Logo (PNG, JPEG ou WebP)"))


class CheckInForm(OnceForm):
    """The front desk's buttons: a member (by id) or a visitor (by name), for a day or half a day."""

    member_id = StringField()
    visitor_name = StringField()
    duration = StringField()
