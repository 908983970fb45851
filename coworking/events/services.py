"""Events: creating and editing them, their times and venues, recurring series.

The kinds are in `kinds`, the programme's list and filters in `programme`.
"""

from __future__ import annotations

import calendar as pycalendar
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from coworking.audit import services as audit
from coworking.database import utcnow
from coworking.dates import DateRangeError, check_year, space_zone
from coworking.events.attendance import places_held, promote_waiting
from coworking.events.errors import EventError
from coworking.events.kinds import ensure_default_kinds
from coworking.events.models import Event, EventKind, EventSeries
from coworking.extensions import db
from coworking.hashtags import normalize_hashtag
from coworking.kinds import EVENT_KINDS
from coworking.partners.models import Partner
from coworking.urls import clean_url

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TITLE = 200
MAX_LOCATION = 300
MAX_HASHTAGS = 300
MAX_DESCRIPTION = 20_000
MAX_SERIES_OCCURRENCES = 60
MAX_CAPACITY = 100_000
MAX_PRICE_CENTS = 10_000_000

WEEKLY = "weekly"
MONTHLY_NTH_WEEKDAY = "monthly_nth_weekday"


# --- venues --------------------------------------------------------------------------------


def venue_partners() -> list[Partner]:
    """Return the partners that can host an event (places, or partners that host events)."""
    return list(
        db.session.scalars(
            select(Partner)
            .where(or_(Partner.kind == "lieu", Partner.hosts_events))
            .order_by(Partner.sort_name, Partner.id)
        )
    )


def all_partners() -> list[Partner]:
    """Return every partner, by name (co-organisers)."""
    return list(db.session.scalars(select(Partner).order_by(Partner.sort_name, Partner.id)))


# --- times -----------------------------------------------------------------------------------


def local_datetime(
    day: date, at: time | None, *, date_field: str = "start_date", time_field: str = "start_time"
) -> datetime:
    """Return the UTC instant of a local wall-clock time (midnight when no time).

    The year must be within coworking.dates' range (EventError naming ``date_field``).
    A time skipped when clocks go forward (2025-03-30 02:30) is refused (EventError
    naming ``time_field``). A time that happens twice when clocks go back
    (2025-10-26 02:30) is taken at its first occurrence, summer time (fold=0).
    """
    try:
        check_year(day, date_field)
    except DateRangeError as error:
        raise EventError(error.message, date_field) from None
    local = datetime.combine(day, (at or time()).replace(fold=0), tzinfo=space_zone())
    instant = local.astimezone(UTC)
    if instant.astimezone(space_zone()).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise EventError(
            _("Cette heure n'existe pas ce jour-là (passage à l'heure d'été)."), time_field
        )
    return instant


def midnight_after(day: date) -> datetime:
    """Return the UTC instant of the midnight ending this (already bounded) Paris day."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=space_zone()).astimezone(UTC)


def local_span(event: Event) -> tuple[date, time | None, date, time | None]:
    """Return the start and end as Paris dates and times (all-day: inclusive end date)."""
    start = event.starts_at.astimezone(space_zone())
    end = event.ends_at.astimezone(space_zone())
    if event.all_day:
        last = end.date() - timedelta(days=1) if end.time() == time() else end.date()
        return start.date(), None, max(last, start.date()), None
    return start.date(), start.time(), end.date(), end.time()


# --- creating and editing --------------------------------------------------------------------


@dataclass
class EventData:
    """What a manager types for an event (Paris dates and times)."""

    title: str
    kind: str
    start_date: date
    start_time: time | None = None
    end_date: date | None = None
    end_time: time | None = None
    all_day: bool = False
    venue_partner_id: int | None = None
    location: str = ""
    is_public: bool = True
    is_free: bool = True
    price_cents: int | None = None
    capacity: int | None = None
    hashtags: str = ""
    description: str = ""
    url: str = ""
    partner_ids: list[int] = field(default_factory=list)


def normalize_hashtags(text: str) -> str:
    """Return hashtags as stored: normalized, space-separated, without duplicates."""
    seen: list[str] = []
    for part in (text or "").replace(",", " ").split():
        tag = normalize_hashtag(part)
        if tag and tag not in seen:
            seen.append(tag)
    return " ".join(seen)


def _span(data: EventData) -> tuple[datetime, datetime]:
    """Return the UTC start and end of the data, or refuse impossible times."""
    end_date = data.end_date or data.start_date
    if data.all_day:
        if end_date < data.start_date:
            raise EventError(_("La date de fin est avant la date de début."), "end_date")
        starts_at = local_datetime(data.start_date, None)
        # Bound the end date before adding a day to it (9999-12-31 would overflow).
        local_datetime(end_date, None, date_field="end_date")
        return starts_at, midnight_after(end_date)
    if data.start_time is None:
        raise EventError(
            _("Indiquez l'heure de début (ou cochez « toute la journée »)."), "start_time"
        )
    starts_at = local_datetime(data.start_date, data.start_time)
    if data.end_time is None:
        ends_at = starts_at + timedelta(hours=2) if data.end_date is None else None
        if ends_at is None:
            raise EventError(_("Indiquez l'heure de fin."), "end_time")
    else:
        ends_at = local_datetime(
            end_date, data.end_time, date_field="end_date", time_field="end_time"
        )
    if ends_at < starts_at:
        raise EventError(_("La fin de l'événement est avant son début."), "end_time")
    return starts_at, ends_at


def _check(data: EventData) -> None:
    title = (data.title or "").strip()
    if not title:
        raise EventError(_("Donnez un titre à l'événement."), "title")
    if len(title) > MAX_TITLE:
        raise EventError(
            _("Le titre est trop long (%(max)s caractères au plus).", max=MAX_TITLE), "title"
        )
    if data.kind in EVENT_KINDS:
        ensure_default_kinds()  # a built-in kind is stored with the first event that uses it
    if db.session.get(EventKind, data.kind or "") is None:
        raise EventError(_("Choisissez un type d'événement."), "kind")
    if len(data.location or "") > MAX_LOCATION:
        raise EventError(
            _("Le lieu est trop long (%(max)s caractères au plus).", max=MAX_LOCATION), "location"
        )
    if len(data.description or "") > MAX_DESCRIPTION:
        raise EventError(
            _("La description est trop longue (%(max)s caractères au plus).", max=MAX_DESCRIPTION),
            "description",
        )
    if data.capacity is not None and data.capacity < 0:
        raise EventError(_("La capacité ne peut pas être négative."), "capacity")
    if data.capacity is not None and data.capacity > MAX_CAPACITY:
        raise EventError(_("Capacité invalide."), "capacity")
    if data.price_cents is not None and data.price_cents < 0:
        raise EventError(_("Le prix ne peut pas être négatif."), "price")
    if data.price_cents is not None and data.price_cents > MAX_PRICE_CENTS:
        raise EventError(_("Prix invalide."), "price")
    if not data.is_free and not data.price_cents:
        raise EventError(_("Indiquez le prix d'un événement payant."), "price")
    if len(normalize_hashtags(data.hashtags)) > MAX_HASHTAGS:
        raise EventError(_("Trop de mots-dièse."), "hashtags")
    if (data.url or "").strip() and clean_url(data.url) is None:
        raise EventError(_("Lien invalide : une adresse http:// ou https:// est attendue."), "url")
    if len(data.url or "") > 500:
        raise EventError(_("Le lien est trop long."), "url")
    if data.venue_partner_id is not None and db.session.get(Partner, data.venue_partner_id) is None:
        raise EventError(_("Lieu inconnu."), "venue")


def _apply(event: Event, data: EventData) -> None:
    _check(data)
    event.starts_at, event.ends_at = _span(data)
    event.title = data.title.strip()
    event.kind = data.kind
    event.all_day = data.all_day
    event.venue_partner_id = data.venue_partner_id
    event.location = (data.location or "").strip() or None
    event.is_public = data.is_public
    event.is_free = data.is_free
    event.price_cents = None if data.is_free else data.price_cents
    event.capacity = data.capacity
    event.hashtags = normalize_hashtags(data.hashtags)
    event.description = (data.description or "").replace("\r\n", "\n").strip()
    event.url = clean_url(data.url)
    wanted = sorted(set(data.partner_ids))
    partners = (
        list(db.session.scalars(select(Partner).where(Partner.id.in_(wanted)))) if wanted else []
    )
    if len(partners) != len(wanted):
        raise EventError(_("Partenaire inconnu."), "partners")
    event.partners = partners


def create_event(data: EventData, *, series: EventSeries | None = None) -> Event:
    """Create an event from what a manager typed."""
    event = Event(series=series, hashtags="", description="")
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    audit.record("event.create", event, event.title)
    return event


def update_event(event: Event, data: EventData) -> Event:
    """Change an event; the capacity cannot drop below the places already held."""
    if data.capacity is not None:
        held = places_held(event.id)
        if data.capacity < held:
            raise EventError(
                _(
                    "La capacité (%(capacity)s) est inférieure au nombre d'inscrits et de présents (%(held)s).",
                    capacity=data.capacity,
                    held=held,
                ),
                "capacity",
            )
    _apply(event, data)
    event.updated_at = utcnow()
    db.session.flush()
    promote_waiting(event)
    audit.record("event.update", event, event.title)
    return event


def event_data(event: Event) -> EventData:
    """Return the data of an existing event, as a manager would type it."""
    start_date, start_time, end_date, end_time = local_span(event)
    return EventData(
        title=event.title,
        kind=event.kind,
        start_date=start_date,
        start_time=start_time,
        end_date=end_date,
        end_time=end_time,
        all_day=event.all_day,
        venue_partner_id=event.venue_partner_id,
        location=event.location or "",
        is_public=event.is_public,
        is_free=event.is_free,
        price_cents=event.price_cents,
        capacity=event.capacity,
        hashtags=" ".join(f"#{tag}" for tag in event.hashtags.split()),
        description=event.description,
        url=event.url or "",
        partner_ids=[partner.id for partner in event.partners],
    )


def same_day_next_month(day: date) -> date:
    """Return the same weekday at the same rank next month ("first Thursday" stays so).

    The fifth occurrence, when next month has none, becomes the last one.
    """
    nth = (day.day - 1) // 7 + 1
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return nth_weekday(year, month, day.weekday(), nth if nth < 5 else -1)


def duplicate_data(event: Event) -> EventData:
    """Return the data of the same event next month, on the same weekday and rank."""
    data = event_data(event)
    target = same_day_next_month(data.start_date)
    shift = target - data.start_date
    data.start_date = target
    if data.end_date is not None:
        data.end_date = data.end_date + shift
    return data


def set_cancelled(event: Event, cancelled: bool) -> None:
    """Mark an event cancelled (kept, shown as such, out of the feeds) or not."""
    event.cancelled = cancelled
    event.updated_at = utcnow()
    db.session.flush()
    audit.record("event.cancel" if cancelled else "event.uncancel", event, event.title)


def delete_event(event: Event) -> None:
    """Delete an event and its attendance."""
    audit.record("event.delete", event, event.title)
    db.session.delete(event)
    db.session.flush()


# --- series ------------------------------------------------------------------------------------


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """Return the n-th (1..4, or -1 for the last) weekday (0 = Monday) of a month."""
    days_in_month = pycalendar.monthrange(year, month)[1]
    if nth == -1:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def series_dates(rule: str, first: date, until: date, *, nth: int | None = None) -> list[date]:
    """Return the dates of a weekly series, or a monthly one on the n-th weekday."""
    # Bound the dates before generating anything: year 9999 would overflow.
    for day, name in ((first, "start_date"), (until, "until")):
        try:
            check_year(day, name)
        except DateRangeError as error:
            raise EventError(error.message, name) from None
    if until < first:
        raise EventError(_("La date de fin de la série est avant son début."), "until")
    days: list[date] = []
    if rule == WEEKLY:
        day = first
        while day <= until and len(days) <= MAX_SERIES_OCCURRENCES:
            days.append(day)
            day += timedelta(days=7)
    elif rule == MONTHLY_NTH_WEEKDAY:
        if nth not in (1, 2, 3, 4, -1):
            raise EventError(_("Choisissez le rang du jour dans le mois."), "nth")
        year, month = first.year, first.month
        while True:
            day = nth_weekday(year, month, first.weekday(), nth)
            if day > until or len(days) > MAX_SERIES_OCCURRENCES:
                break
            if day >= first:
                days.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        raise EventError(_("Choisissez une répétition."), "rule")
    if len(days) > MAX_SERIES_OCCURRENCES:
        raise EventError(
            _(
                "Une série compte %(max)s événements au plus : rapprochez la date de fin.",
                max=MAX_SERIES_OCCURRENCES,
            ),
            "until",
        )
    if not days:
        raise EventError(_("Aucune date ne tombe dans cette période."), "until")
    return days


def _series_days(data: EventData, rule: str, until: date, nth: int | None) -> list[date]:
    if rule == MONTHLY_NTH_WEEKDAY and nth is not None:
        # The first date is the n-th weekday of the start month, whatever day was typed.
        data.start_date = nth_weekday(
            data.start_date.year, data.start_date.month, data.start_date.weekday(), nth
        )
    return series_dates(rule, data.start_date, until, nth=nth)


def series_clashes(data: EventData, rule: str, until: date, nth: int | None = None) -> list[Event]:
    """Return the events (not cancelled) already held on the days a new series would take."""
    days = set(_series_days(data, rule, until, nth))
    first = local_datetime(min(days), None)
    after = midnight_after(max(days))
    candidates = db.session.scalars(
        select(Event)
        .where(Event.starts_at >= first, Event.starts_at < after, Event.cancelled.is_(False))
        .order_by(Event.starts_at, Event.id)
    )
    return [
        event for event in candidates if event.starts_at.astimezone(space_zone()).date() in days
    ]


def create_series(data: EventData, rule: str, until: date, nth: int | None = None) -> EventSeries:
    """Create a series and its events, one per date, each its own editable event."""
    days = _series_days(data, rule, until, nth)
    _check(data)
    length = (data.end_date or data.start_date) - data.start_date
    series = EventSeries(
        title=data.title.strip(),
        rule=rule,
        weekday=data.start_date.weekday(),
        nth=nth if rule == MONTHLY_NTH_WEEKDAY else None,
    )
    db.session.add(series)
    db.session.flush()
    for day in days:
        occurrence = EventData(**{**data.__dict__, "partner_ids": list(data.partner_ids)})
        occurrence.start_date = day
        occurrence.end_date = day + length if data.end_date is not None else None
        create_event(occurrence, series=series)
    audit.record("event_series.create", series, f"{series.title} ({len(days)})")
    return series


def series_size(series: EventSeries) -> int:
    """Return how many events a series holds."""
    return int(
        db.session.scalar(
            select(func.count()).select_from(Event).where(Event.series_id == series.id)
        )
        or 0
    )
