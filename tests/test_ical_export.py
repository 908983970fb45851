"""Tests for the iCalendar export (coworking.events.ical_export)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar

from coworking.events.ical_export import build_calendar, space_timezone
from coworking.events.ical_import import parse_calendar

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Event:
    id: int
    title: str
    start: datetime
    end: datetime | None
    all_day: bool = False
    location: str | None = None
    description: str | None = None
    url: str | None = None
    kind: str | None = None
    external_uid: str | None = None
    is_public: bool = True


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


TWAPERO_MARCH = Event(
    id=12,
    title="Twapéro de mars",
    start=paris(2025, 3, 27, 19),
    end=paris(2025, 3, 27, 22),
    location="Le Bar du Coin, 12 rue Saint-Laud, Angers",
    description="On parle projets, on trinque ; venez nombreux !\nEntrée libre.",
    kind="twapero",
)
TWAPERO_APRIL = Event(
    id=13,
    title="Twapéro d'avril",
    start=paris(2025, 4, 3, 19),
    end=paris(2025, 4, 3, 22),
    kind="twapero",
)


def export(*events: Event, **kwargs) -> bytes:
    options = {"calendar_name": "Maine Labs", "uid_domain": "mainelabs.fr", "now": NOW}
    return build_calendar(events, **(options | kwargs))


def vevents(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_times_are_paris_local_with_tzid_across_daylight_saving() -> None:
    data = export(TWAPERO_MARCH, TWAPERO_APRIL)

    assert b"DTSTART;TZID=Europe/Paris:20250327T190000\r\n" in data
    assert b"DTSTART;TZID=Europe/Paris:20250403T190000\r\n" in data
    march, april = vevents(data)
    assert march["DTSTART"].dt.astimezone(UTC) == datetime(2025, 3, 27, 18, tzinfo=UTC)
    assert april["DTSTART"].dt.astimezone(UTC) == datetime(2025, 4, 3, 17, tzinfo=UTC)
    assert april["DTEND"].dt.astimezone(UTC) == datetime(2025, 4, 3, 20, tzinfo=UTC)


def test_embedded_vtimezone_gives_paris_offsets_on_both_sides_of_the_change() -> None:
    calendar = icalendar.Calendar.from_ical(export(TWAPERO_MARCH))
    (vtimezone,) = calendar.walk("VTIMEZONE")
    zone = vtimezone.to_tz()

    assert vtimezone["TZID"] == "Europe/Paris"
    assert datetime(2025, 3, 27, 19, tzinfo=zone).utcoffset().total_seconds() == 3600
    assert datetime(2025, 4, 3, 19, tzinfo=zone).utcoffset().total_seconds() == 7200
    assert datetime(2031, 10, 27, 19, tzinfo=zone).utcoffset().total_seconds() == 3600


def test_calendar_headers() -> None:
    calendar = icalendar.Calendar.from_ical(export(TWAPERO_MARCH))

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"].startswith("-//")
    assert calendar["X-WR-CALNAME"] == "Maine Labs"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Paris"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar.get_missing_tzids() == set()
    assert calendar.errors == []


def test_file_is_crlf_and_folded_at_75_octets() -> None:
    long_description = "Une très longue description, " * 20
    data = export(Event(1, "Long", NOW, NOW, description=long_description))

    lines = data.split(b"\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    assert str(vevents(data)[0]["DESCRIPTION"]) == long_description.strip()


def test_event_properties() -> None:
    (vevent,) = vevents(export(TWAPERO_MARCH))

    assert vevent["UID"] == "event-12@mainelabs.fr"
    assert vevent["DTSTAMP"].dt == NOW
    assert vevent["SUMMARY"] == "Twapéro de mars"
    assert vevent["LOCATION"] == "Le Bar du Coin, 12 rue Saint-Laud, Angers"
    assert vevent["DESCRIPTION"] == TWAPERO_MARCH.description
    assert vevent["CATEGORIES"].cats == ["Twapéro"]
    assert vevent["CLASS"] == "PUBLIC"


def test_text_is_escaped() -> None:
    data = export(TWAPERO_MARCH)

    assert b"LOCATION:Le Bar du Coin\\, 12 rue Saint-Laud\\, Angers\r\n" in data
    assert b"on trinque \\; venez nombreux !\\nEntr" in data


def test_external_uid_is_kept_and_own_uid_otherwise() -> None:
    imported = Event(2, "Repair café", NOW, NOW, external_uid="event_305@meetup.com")

    uids = [v["UID"] for v in vevents(export(imported, TWAPERO_MARCH))]

    assert uids == ["event_305@meetup.com", "event-12@mainelabs.fr"]


def test_shared_external_uid_falls_back_to_own_uid() -> None:
    first = Event(3, "Permanence", NOW, NOW, external_uid="series@google.com")
    second = Event(4, "Permanence", NOW, NOW, external_uid="series@google.com")

    uids = [v["UID"] for v in vevents(export(first, second))]

    assert uids == ["series@google.com", "event-4@mainelabs.fr"]


def test_imported_occurrence_gets_own_uid() -> None:
    @dataclass(frozen=True)
    class Occurrence(Event):
        external_recurrence_id: str | None = None

    occurrence = Occurrence(
        5,
        "Permanence",
        NOW,
        NOW,
        external_uid="s@google.com",
        external_recurrence_id="x",
    )

    assert [v["UID"] for v in vevents(export(occurrence))] == ["event-5@mainelabs.fr"]


def test_all_day_event_uses_dates_with_exclusive_end() -> None:
    barcamp = Event(
        7,
        "Barcamp",
        paris(2025, 10, 18),
        paris(2025, 10, 20),
        all_day=True,
        kind="barcamp",
        is_public=False,
    )

    data = export(barcamp)

    assert b"DTSTART;VALUE=DATE:20251018\r\n" in data
    assert b"DTEND;VALUE=DATE:20251020\r\n" in data
    (vevent,) = vevents(data)
    assert vevent["CLASS"] == "PRIVATE"
    assert vevent["CATEGORIES"].cats == ["Barcamp / hackathon"]


def test_all_day_event_with_inclusive_end_time() -> None:
    one_day = Event(8, "Fête", paris(2025, 6, 21), paris(2025, 6, 21, 23, 59), all_day=True)

    (vevent,) = vevents(export(one_day))

    assert (vevent["DTSTART"].dt, vevent["DTEND"].dt) == (
        date(2025, 6, 21),
        date(2025, 6, 22),
    )


def test_url_prefers_event_link_then_our_page() -> None:
    with_link = Event(9, "A", NOW, NOW, url="https://www.meetup.com/maine-labs/events/1/")
    without = Event(10, "B", NOW, NOW)

    found = [
        str(v["URL"])
        for v in vevents(
            export(with_link, without, url_for_event=lambda e: f"https://ex.fr/e/{e.id}")
        )
    ]

    assert found == [
        "https://www.meetup.com/maine-labs/events/1/",
        "https://ex.fr/e/10",
    ]


def test_naive_datetimes_are_taken_as_utc_and_missing_end_is_start() -> None:
    naive = Event(11, "SQLite", datetime(2025, 3, 27, 18), None)

    (vevent,) = vevents(export(naive))

    assert vevent["DTSTART"].dt == datetime(2025, 3, 27, 19, tzinfo=PARIS)
    assert vevent["DTEND"].dt == vevent["DTSTART"].dt


def test_admin_kind_labels_and_unknown_kind() -> None:
    game_jam = Event(14, "Jam", NOW, NOW, kind="game-jam")
    mystery = Event(15, "?", NOW, NOW, kind="mystere")

    found = [
        v["CATEGORIES"].cats
        for v in vevents(export(game_jam, mystery, kind_labels={"game-jam": "Game jam"}))
    ]

    assert found == [["Game jam"], ["mystere"]]


def test_object_with_properties_is_accepted() -> None:
    class Model:
        """Stands for the SQLAlchemy model: attributes, not a dataclass."""

        id = 42
        title = "Conférence IA"
        start = paris(2025, 5, 15, 18, 30)
        end = paris(2025, 5, 15, 20)
        all_day = False
        location = None
        description = None
        url = None
        kind = "conference"
        external_uid = None
        is_public = True

    (vevent,) = vevents(export(Model()))  # type: ignore[arg-type]

    assert vevent["UID"] == "event-42@mainelabs.fr"
    assert "LOCATION" not in vevent


def test_empty_calendar_is_valid() -> None:
    calendar = icalendar.Calendar.from_ical(export())

    assert calendar.walk("VEVENT") == []
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_paris_timezone_is_a_vtimezone() -> None:
    assert space_timezone().name == "VTIMEZONE"


def test_export_reads_back_with_our_import() -> None:
    barcamp = Event(7, "Barcamp", paris(2025, 10, 18), paris(2025, 10, 20), all_day=True)
    data = export(TWAPERO_MARCH, TWAPERO_APRIL, barcamp)

    records = parse_calendar(data)

    assert [(r.title, r.start, r.end, r.all_day, r.kind) for r in records] == [
        ("Twapéro de mars", TWAPERO_MARCH.start, TWAPERO_MARCH.end, False, "twapero"),
        ("Twapéro d'avril", TWAPERO_APRIL.start, TWAPERO_APRIL.end, False, "twapero"),
        ("Barcamp", barcamp.start, barcamp.end, True, None),
    ]
    assert records[0].description == TWAPERO_MARCH.description
    assert records[0].location == TWAPERO_MARCH.location
    assert records[0].uid == "event-12@mainelabs.fr"
