"""Forms for events, series, kinds, the roll call and the calendar import."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from coworking.dates import YearInRange
from coworking.events import kinds as event_kinds
from coworking.events import services
from coworking.events.services import EventData
from coworking.forms import CheckboxListField, FrenchDecimalField, OnceForm, WebLink
from coworking.ids import parse_id

WEEKDAY_RANKS = [
    SelectChoice("1", _l("premier")),
    SelectChoice("2", _l("deuxième")),
    SelectChoice("3", _l("troisième")),
    SelectChoice("4", _l("quatrième")),
    SelectChoice("-1", _l("dernier")),
]


class EventForm(FlaskForm):
    title = StringField(
        _l("Titre"),
        validators=[
            DataRequired(_l("Donnez un titre à l'événement.")),
            Length(max=services.MAX_TITLE, message=_l("200 caractères au plus.")),
        ],
    )
    kind = SelectField(_l("Type"), validators=[DataRequired(_l("Choisissez un type."))])
    start_date = DateField(
        _l("Date"), validators=[InputRequired(_l("Indiquez la date (JJ/MM/AAAA).")), YearInRange()]
    )
    start_time = TimeField(_l("Début"), validators=[Optional()])
    end_date = DateField(_l("Date de fin"), validators=[Optional(), YearInRange()])
    end_time = TimeField(_l("Fin"), validators=[Optional()])
    all_day = BooleanField(_l("Toute la journée"))
    venue = SelectField(_l("Lieu"), default="")
    location = StringField(
        _l("Adresse ou précision du lieu"),
        validators=[Optional(), Length(max=services.MAX_LOCATION)],
    )
    is_public = BooleanField(_l("Ouvert au public"), default=True)
    is_free = BooleanField(_l("Gratuit"), default=True)
    price = FrenchDecimalField(
        _l("Prix (€)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=100_000, message=_l("Prix invalide."))],
    )
    capacity = IntegerField(
        _l("Capacité (places)"),
        validators=[Optional(), NumberRange(min=0, max=100_000, message=_l("Capacité invalide."))],
    )
    hashtags = StringField(
        _l("Mots-dièse"), validators=[Optional(), Length(max=services.MAX_HASHTAGS)]
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=services.MAX_DESCRIPTION)]
    )
    url = StringField(
        _l("Lien (billetterie, page Meetup…)"),
        validators=[Optional(), Length(max=500), WebLink(500)],
    )
    partners = CheckboxListField(_l("Partenaires co-organisateurs"), coerce=int, default=[])

    def validate(self, extra_validators=None) -> bool:
        """Check every field, then the rules between fields: all errors in one round (the
        services check the same rules again)."""
        valid = super().validate(extra_validators)
        for field, message in self._rules_between_fields():
            if not field.errors:
                field.errors.append(message)
                valid = False
        return valid

    def _rules_between_fields(self) -> Iterator[tuple[Field, Any]]:
        start_date, start_time = self.start_date.data, self.start_time.data
        end_date, end_time = self.end_date.data, self.end_time.data
        if not self.is_free.data and self.price.data is None:
            yield self.price, _l("Indiquez le prix d'un événement payant.")
        if start_date is None:
            return
        if end_date is not None and end_date < start_date:
            yield self.end_date, _l("La date de fin est avant la date de début.")
            return
        if self.all_day.data:
            return
        if start_time is None:
            yield self.start_time, _l("Indiquez l'heure de début (ou cochez « toute la journée »).")
            return
        if end_time is None:
            if end_date is not None and end_date != start_date:
                yield self.end_time, _l("Indiquez l'heure de fin.")
            return
        ends = datetime.combine(end_date or start_date, end_time)
        if ends < datetime.combine(start_date, start_time):
            yield self.end_time, _l("La fin de l'événement est avant son début.")

    def fill_choices(self) -> None:
        """Load kinds, venues and partners from the database."""
        locale = str(get_locale() or "fr")
        self.kind.choices = [
            SelectChoice(kind.slug, event_kinds.kind_label(kind, locale))
            for kind in event_kinds.all_kinds()
        ]
        self.venue.choices = [SelectChoice("", str(_l("L'espace")))] + [
            SelectChoice(str(partner.id), partner.name) for partner in services.venue_partners()
        ]
        self.partners.choices = [
            SelectChoice(partner.id, partner.name) for partner in services.all_partners()
        ]

    def load(self, data: EventData) -> None:
        """Fill the fields from existing data (edit, duplicate)."""
        self.title.data = data.title
        self.kind.data = data.kind
        self.start_date.data = data.start_date
        self.start_time.data = data.start_time
        self.end_date.data = data.end_date if data.end_date != data.start_date else None
        self.end_time.data = data.end_time
        self.all_day.data = data.all_day
        self.venue.data = str(data.venue_partner_id or "")
        self.location.data = data.location
        self.is_public.data = data.is_public
        self.is_free.data = data.is_free
        self.price.data = Decimal(data.price_cents) / 100 if data.price_cents is not None else None
        self.capacity.data = data.capacity
        self.hashtags.data = data.hashtags
        self.description.data = data.description
        self.url.data = data.url
        self.partners.data = list(data.partner_ids)

    def event_data(self) -> EventData:
        """Return what was typed, for the services."""
        venue = self.venue.data or ""
        return EventData(
            title=self.title.data or "",
            kind=self.kind.data or "",
            start_date=self.start_date.data,
            start_time=self.start_time.data,
            end_date=self.end_date.data,
            end_time=self.end_time.data,
            all_day=bool(self.all_day.data),
            venue_partner_id=parse_id(venue),
            location=self.location.data or "",
            is_public=bool(self.is_public.data),
            is_free=bool(self.is_free.data),
            price_cents=int(self.price.data * 100) if self.price.data is not None else None,
            capacity=self.capacity.data,
            hashtags=self.hashtags.data or "",
            description=self.description.data or "",
            url=self.url.data or "",
            partner_ids=list(self.partners.data or []),
        )


class NewEventForm(OnceForm, EventForm):
    """The form of a new event, saved once however many times it is sent."""


class SeriesForm(OnceForm, EventForm):
    rule = SelectField(
        _l("Répétition"),
        choices=[
            SelectChoice(
                services.MONTHLY_NTH_WEEKDAY, _l("Chaque mois, le même jour de la semaine")
            ),
            SelectChoice(services.WEEKLY, _l("Chaque semaine")),
        ],
        default=services.MONTHLY_NTH_WEEKDAY,
    )
    nth = SelectField(_l("Rang dans le mois"), choices=WEEKDAY_RANKS, default="1")
    until = DateField(
        _l("Jusqu'au"),
        validators=[InputRequired(_l("Indiquez la date de fin de la série.")), YearInRange()],
    )
    # Ticked once the manager has seen the evenings that already have an event.
    despite_clashes = BooleanField(_l("Créer quand même la série"))

    def _rules_between_fields(self) -> Iterator[tuple[Field, Any]]:
        yield from super()._rules_between_fields()
        if self.until.data and self.start_date.data and self.until.data < self.start_date.data:
            yield self.until, _l("La date de fin de la série est avant son début.")


class KindForm(OnceForm):
    label_fr = StringField(
        _l("Nom (français)"),
        validators=[DataRequired(_l("Donnez un nom.")), Length(max=100)],
    )
    label_en = StringField(_l("Nom (anglais)"), validators=[Optional(), Length(max=100)])


class GuestForm(OnceForm):
    guest_name = StringField(
        _l("Nom de l'invité"),
        validators=[DataRequired(_l("Indiquez le nom de l'invité.")), Length(max=200)],
    )


class HeadcountForm(FlaskForm):
    headcount = IntegerField(
        _l("Effectif compté"),
        validators=[Optional(), NumberRange(min=0, max=100_000, message=_l("Effectif invalide."))],
    )


class ImportForm(FlaskForm):
    file = FileField(_l("Fichier iCalendar (.ics)"))
