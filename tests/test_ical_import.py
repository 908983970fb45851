"""Tests for the iCalendar import (coworking.events.ical_import)."""

from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from dateutil.rrule import _iterinfo
from flask_babel import force_locale

from coworking.events.ical_import import (
    UNTITLED,
    IcalImportError,
    ImportedEvent,
    kind_for_categories,
    parse_calendar,
)
from tests import hostile_ical

PARIS = ZoneInfo("Europe/Paris")


def ics(text: str) -> bytes:
    """Return the file as exporters write it: CRLF line endings, UTF-8."""
    return text.strip("\n").replace("\n", "\r\n").encode("utf-8") + b"\r\n"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- Meetup: TZID=Europe/Paris with its VTIMEZONE, folded lines, escaped comma

MEETUP = ics(r"""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Meetup//RemoteApi//EN
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-ORIGINAL-URL:https://www.meetup.com/maine-labs/events/ical/
X-WR-CALNAME:Événements - Maine Labs
X-MS-OLK-FORCEINSPECTOROPEN:TRUE
BEGIN:VTIMEZONE
TZID:Europe/Paris
X-LIC-LOCATION:Europe/Paris
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
DTSTAMP:20250301T101500Z
DTSTART;TZID=Europe/Paris:20250327T190000
DTEND;TZID=Europe/Paris:20250327T220000
STATUS:CONFIRMED
SUMMARY:Twapéro de mars
DESCRIPTION:Maine Labs\nJeudi 27 mars 2025\, 19:00\n\nLe twapéro mensuel d
 es acteurs du numérique angevin : on parle projets\, on trinque.\n\nhttp
 s://www.meetup.com/maine-labs/events/305123456/
CLASS:PUBLIC
CREATED:20250210T091011Z
GEO:47.4645;-0.5563
LOCATION:Le Bar du Coin (12 rue Saint-Laud\, Angers\, France)
URL:https://www.meetup.com/maine-labs/events/305123456/
LAST-MODIFIED:20250301T101500Z
UID:event_305123456@meetup.com
END:VEVENT
BEGIN:VEVENT
DTSTAMP:20250301T101500Z
DTSTART;TZID=Europe/Paris:20250403T190000
DTEND;TZID=Europe/Paris:20250403T220000
STATUS:CONFIRMED
SUMMARY:Twapéro d'avril
DESCRIPTION:Maine Labs\nJeudi 3 avril 2025\, 19:00\n\nAprès le passage à l
 'heure d'été.
CLASS:PUBLIC
LOCATION:Le Bar du Coin (12 rue Saint-Laud\, Angers\, France)
URL:https://www.meetup.com/maine-labs/events/305123789/
UID:event_305123789@meetup.com
END:VEVENT
END:VCALENDAR
""")


def test_meetup_file_reads_times_in_paris_across_daylight_saving() -> None:
    march, april = parse_calendar(MEETUP)

    assert (march.start, march.end) == (utc(2025, 3, 27, 18), utc(2025, 3, 27, 21))
    assert (april.start, april.end) == (utc(2025, 4, 3, 17), utc(2025, 4, 3, 20))
    assert march.start.tzinfo is UTC
    assert not march.all_day


def test_meetup_file_unfolds_lines_and_unescapes_text() -> None:
    march = parse_calendar(MEETUP)[0]

    assert march == ImportedEvent(
        uid="event_305123456@meetup.com",
        recurrence_id=None,
        title="Twapéro de mars",
        description=(
            "Maine Labs\nJeudi 27 mars 2025, 19:00\n\n"
            "Le twapéro mensuel des acteurs du numérique angevin : "
            "on parle projets, on trinque.\n\n"
            "https://www.meetup.com/maine-labs/events/305123456/"
        ),
        location="Le Bar du Coin (12 rue Saint-Laud, Angers, France)",
        url="https://www.meetup.com/maine-labs/events/305123456/",
        start=utc(2025, 3, 27, 18),
        end=utc(2025, 3, 27, 21),
        all_day=False,
        is_public=True,
        categories=(),
        kind=None,
        status="CONFIRMED",
    )


# --- Mobilizon: UTC times, monthly RRULE on the first Thursday with an EXDATE,

MOBILIZON = ics(r"""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Elixir ICalendar//Mobilizon 5.1.0//EN
CALSCALE:GREGORIAN
NAME:Maine Labs
X-WR-CALNAME:Maine Labs
BEGIN:VEVENT
CATEGORIES:LEARNING,atelier
CLASS:PUBLIC
DESCRIPTION:Un atelier pour réparer ensemble vos appareils\, chaque premi
 er jeudi du mois.
DTEND:20250306T200000Z
DTSTAMP:20250215T083000Z
DTSTART:20250306T180000Z
EXDATE:20250501T180000Z
GEO:47.4712;-0.5518
LOCATION:Maine Labs\, 2 place de la Gare\, 49100 Angers
ORGANIZER;CN=Maine Labs:mailto:noreply@mobilizon.fr
RRULE:FREQ=MONTHLY;BYDAY=1TH;UNTIL=20251231T235959Z
STATUS:CONFIRMED
SUMMARY:Repair café
UID:7c1e3a52-4a1b-4d2e-9b6c-0f3b2a1d9e11
URL:https://mobilizon.fr/events/7c1e3a52-4a1b-4d2e-9b6c-0f3b2a1d9e11
END:VEVENT
BEGIN:VEVENT
CATEGORIES:MEETING,Barcamp
CLASS:PUBLIC
DESCRIPTION:Deux jours de barcamp au Maine Labs.
DTEND;VALUE=DATE:20251020
DTSTAMP:20250215T083000Z
DTSTART;VALUE=DATE:20251018
LOCATION:Maine Labs\, 2 place de la Gare\, 49100 Angers
STATUS:CONFIRMED
SUMMARY:Barcamp d'automne
UID:0d5f3e1c-8a8b-4c44-9f0e-5a7d1c2b3e44
URL:https://mobilizon.fr/events/0d5f3e1c-8a8b-4c44-9f0e-5a7d1c2b3e44
END:VEVENT
BEGIN:VEVENT
CLASS:PRIVATE
DESCRIPTION:Réservé aux membres du bureau.
DTEND:20250318T190000Z
DTSTAMP:20250215T083000Z
DTSTART:20250318T173000Z
STATUS:TENTATIVE
SUMMARY:Réunion du bureau
UID:3f9e8d7c-6b5a-4e3d-8c2b-1a0f9e8d7c6b
END:VEVENT
END:VCALENDAR
""")


def test_mobilizon_monthly_series_is_expanded_without_the_excluded_date() -> None:
    records = parse_calendar(MOBILIZON)
    repair = [r for r in records if r.title == "Repair café"]

    assert [r.start.date() for r in repair] == [
        date(2025, 3, 6),
        date(2025, 4, 3),
        date(2025, 6, 5),
        date(2025, 7, 3),
        date(2025, 8, 7),
        date(2025, 9, 4),
        date(2025, 10, 2),
        date(2025, 11, 6),
        date(2025, 12, 4),
    ]
    # a UTC rule repeats at the same UTC time, whatever the season in Paris
    assert {(r.start.time(), r.end - r.start) for r in repair} == {
        (datetime(2025, 1, 1, 18).time(), timedelta(hours=2))
    }
    assert repair[0].recurrence_id == "2025-03-06T18:00:00+00:00"
    assert len({(r.uid, r.recurrence_id) for r in repair}) == len(repair)
    assert repair[0].kind == "atelier"
    assert repair[0].description == (
        "Un atelier pour réparer ensemble vos appareils, chaque premier jeudi du mois."
    )


def test_mobilizon_all_day_event_spans_days_with_exclusive_end() -> None:
    barcamp = next(r for r in parse_calendar(MOBILIZON) if r.title == "Barcamp d'automne")

    assert barcamp.all_day
    assert barcamp.start == datetime(2025, 10, 18, tzinfo=PARIS).astimezone(UTC)
    assert barcamp.end == datetime(2025, 10, 20, tzinfo=PARIS).astimezone(UTC)
    assert barcamp.recurrence_id is None
    assert barcamp.categories == ("MEETING", "Barcamp")
    assert barcamp.kind == "barcamp"


def test_mobilizon_private_event_is_not_public() -> None:
    records = {r.title: r for r in parse_calendar(MOBILIZON)}

    assert records["Réunion du bureau"].is_public is False
    assert records["Réunion du bureau"].status == "TENTATIVE"
    assert records["Barcamp d'automne"].is_public is True


# --- Google Calendar: floating times, CATEGORIES, cancellations, an override ---

GOOGLE = ics(r"""
BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:Maine Labs – agenda
X-WR-TIMEZONE:Europe/Paris
X-WR-CALDESC:Agenda public du Maine Labs
BEGIN:VEVENT
DTSTART:20250410T183000
DTEND:20250410T210000
DTSTAMP:20250320T120000Z
UID:1a2b3c4d5e6f7g8h9i0j@google.com
CREATED:00001231T000000Z
DESCRIPTION:<b>Conférence</b> sur l'IA frugale.<br>Inscription&nbsp;: <a h
 ref="https://www.helloasso.com/maine-labs/ia">sur HelloAsso</a>
LAST-MODIFIED:20250320T115959Z
LOCATION:Maine Labs\, 2 place de la Gare\, Angers
CATEGORIES:Numérique,CONFÉRENCE
SEQUENCE:0
STATUS:CONFIRMED
SUMMARY:IA frugale
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Paris:20250306T140000
DTEND;TZID=Europe/Paris:20250306T170000
RRULE:FREQ=WEEKLY;WKST=MO;COUNT=5;BYDAY=TH
DTSTAMP:20250320T120000Z
UID:permanence0123456789@google.com
CREATED:20250201T100000Z
DESCRIPTION:
LAST-MODIFIED:20250301T100000Z
LOCATION:Maine Labs
SEQUENCE:0
STATUS:CONFIRMED
SUMMARY:Permanence
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Paris:20250321T100000
DTEND;TZID=Europe/Paris:20250321T120000
DTSTAMP:20250320T120000Z
UID:permanence0123456789@google.com
RECURRENCE-ID;TZID=Europe/Paris:20250320T140000
CREATED:20250201T100000Z
LAST-MODIFIED:20250310T100000Z
LOCATION:Salle de réunion
SEQUENCE:1
STATUS:CONFIRMED
SUMMARY:Permanence (décalée au vendredi matin)
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Paris:20250327T140000
DTEND;TZID=Europe/Paris:20250327T170000
DTSTAMP:20250320T120000Z
UID:permanence0123456789@google.com
RECURRENCE-ID;TZID=Europe/Paris:20250327T140000
SEQUENCE:1
STATUS:CANCELLED
SUMMARY:Permanence
END:VEVENT
BEGIN:VEVENT
DTSTART:20250415T190000
DTEND:20250415T220000
DTSTAMP:20250320T120000Z
UID:annule0987654321@google.com
SEQUENCE:2
STATUS:CANCELLED
SUMMARY:Afterwork annulé
END:VEVENT
END:VCALENDAR
""")


def test_google_floating_times_are_paris_time() -> None:
    talk = next(r for r in parse_calendar(GOOGLE) if r.title == "IA frugale")

    assert (talk.start, talk.end) == (utc(2025, 4, 10, 16, 30), utc(2025, 4, 10, 19))
    assert talk.recurrence_id is None


def test_google_categories_map_to_a_kind_and_html_description_becomes_text() -> None:
    talk = next(r for r in parse_calendar(GOOGLE) if r.title == "IA frugale")

    assert talk.categories == ("Numérique", "CONFÉRENCE")
    assert talk.kind == "conference"
    assert talk.description == (
        "Conférence sur l'IA frugale.\n"
        "Inscription\xa0: sur HelloAsso (https://www.helloasso.com/maine-labs/ia)"
    )


def test_google_overridden_and_cancelled_occurrences() -> None:
    permanences = [r for r in parse_calendar(GOOGLE) if r.uid.startswith("permanence")]

    assert [(r.start, r.title, r.location) for r in permanences] == [
        (utc(2025, 3, 6, 13), "Permanence", "Maine Labs"),
        (utc(2025, 3, 13, 13), "Permanence", "Maine Labs"),
        (
            utc(2025, 3, 21, 9),
            "Permanence (décalée au vendredi matin)",
            "Salle de réunion",
        ),
        # 27 March is cancelled; 3 April is after the change to summer time
        (utc(2025, 4, 3, 12), "Permanence", "Maine Labs"),
    ]
    # the moved occurrence keeps the identity of the slot it replaces
    assert permanences[2].recurrence_id == "2025-03-20T13:00:00+00:00"
    assert permanences[3].recurrence_id == "2025-04-03T12:00:00+00:00"


def test_cancelled_event_is_skipped() -> None:
    titles = {r.title for r in parse_calendar(GOOGLE)}

    assert "Afterwork annulé" not in titles


# --- Nextcloud and other shapes ----------------------------------------------

NEXTCLOUD_FLOATING = ics(r"""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Sabre//Sabre VObject 4.5.4//EN
CALSCALE:GREGORIAN
BEGIN:VEVENT
UID:ec5a0a4f-0c0f-4b8e-a1b5-9f0a1c3e2d11
DTSTAMP:20250101T090000Z
CREATED:20250101T090000Z
LAST-MODIFIED:20250101T090000Z
SUMMARY:Assemblée générale
DTSTART:20250628T100000
DURATION:PT3H
CATEGORIES:Assemblée Générale
END:VEVENT
END:VCALENDAR
""")


def test_floating_time_without_timezone_hint_is_paris_and_duration_gives_end() -> None:
    (ag,) = parse_calendar(NEXTCLOUD_FLOATING)

    assert (ag.start, ag.end) == (utc(2025, 6, 28, 8), utc(2025, 6, 28, 11))
    assert ag.kind == "ag"


def calendar_with(*events: str, headers: str = "") -> bytes:
    body = "\n".join(f"BEGIN:VEVENT\n{event.strip()}\nEND:VEVENT" for event in events)
    return ics(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{headers}{body}\nEND:VCALENDAR")


WEEKLY_FOREVER = """
UID:weekly@example.org
DTSTAMP:20250101T000000Z
DTSTART;TZID=Europe/Paris:20250320T190000
DTEND;TZID=Europe/Paris:20250320T210000
RRULE:FREQ=WEEKLY
SUMMARY:Afterwork hebdo
"""


def test_weekly_series_keeps_paris_wall_clock_across_daylight_saving() -> None:
    records = parse_calendar(
        calendar_with(WEEKLY_FOREVER),
        expand_from=date(2025, 3, 20),
        expand_to=date(2025, 4, 3),
    )

    assert [r.start for r in records] == [
        utc(2025, 3, 20, 18),
        utc(2025, 3, 27, 18),
        utc(2025, 4, 3, 17),
    ]
    assert [r.recurrence_id for r in records] == [
        "2025-03-20T18:00:00+00:00",
        "2025-03-27T18:00:00+00:00",
        "2025-04-03T17:00:00+00:00",
    ]


def test_window_start_leaves_out_earlier_occurrences() -> None:
    records = parse_calendar(
        calendar_with(WEEKLY_FOREVER),
        expand_from=date(2025, 6, 1),
        expand_to=date(2025, 6, 30),
    )

    assert [r.start.astimezone(PARIS).day for r in records] == [5, 12, 19, 26]


def test_default_window_runs_from_series_start_to_two_years_after_today() -> None:
    records = parse_calendar(calendar_with(WEEKLY_FOREVER), max_occurrences_per_series=10_000)

    today = datetime.now(PARIS).date()
    last_day = today.replace(year=today.year + 2) if (today.month, today.day) != (2, 29) else today
    assert records[0].start == utc(2025, 3, 20, 18)
    assert last_day - timedelta(days=7) < records[-1].start.astimezone(PARIS).date() <= last_day


def test_default_window_starts_five_years_before_today() -> None:
    since_2000 = WEEKLY_FOREVER.replace("20250320T", "20000323T")

    records = parse_calendar(calendar_with(since_2000))

    today = datetime.now(PARIS).date()
    try:
        first_day = today.replace(year=today.year - 5)
    except ValueError:  # 29 February
        first_day = today.replace(year=today.year - 5, day=28)
    first = records[0].start.astimezone(PARIS).date()
    assert first_day <= first < first_day + timedelta(days=7)


EVERY_HOUR = """
UID:spam@example.org
DTSTAMP:20250101T000000Z
DTSTART:20250101T000000Z
DTEND:20250101T003000Z
RRULE:FREQ=HOURLY
SUMMARY:Boucle
"""


def test_series_repeating_more_than_the_limit_in_the_window_is_refused_naming_it() -> None:
    error = refusal(calendar_with(EVERY_HOUR))

    assert error.component == "VEVENT n°1 « Boucle » (UID spam@example.org)"
    assert "plus de 1000 occurrences dans la fenêtre d'import" in error.reason


def test_series_reaching_the_limit_exactly_is_expanded_whole() -> None:
    records = parse_calendar(
        calendar_with(EVERY_HOUR.replace("FREQ=HOURLY", "FREQ=HOURLY;COUNT=1000"))
    )

    assert len(records) == 1000
    assert records[-1].start == utc(2025, 1, 1) + timedelta(hours=999)


def test_refuses_rules_finer_than_hourly() -> None:
    error = refusal(
        calendar_with("UID:m@example.org\nDTSTART:20250101T180000Z\nRRULE:FREQ=MINUTELY")
    )

    assert "RRULE" in error.reason


def test_rule_that_never_matches_gives_only_the_first_date() -> None:
    thirtieth_of_february = """
UID:fevrier@example.org
DTSTART:20250101T100000Z
RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30
"""
    (only,) = parse_calendar(calendar_with(thirtieth_of_february))

    assert only.start == utc(2025, 1, 1, 10)


def test_refuses_non_gregorian_calendar() -> None:
    error = refusal(calendar_with(GOOD_EVENT, headers="CALSCALE:CHINESE\n"))

    assert "CHINESE" in error.reason


def test_all_day_event_without_dtend_lasts_one_day() -> None:
    (event,) = parse_calendar(
        calendar_with("UID:jour@example.org\nDTSTART;VALUE=DATE:20250621\nSUMMARY:Fête")
    )

    assert event.all_day
    assert event.end - event.start == timedelta(days=1)
    assert event.start.astimezone(PARIS) == datetime(2025, 6, 21, tzinfo=PARIS)


def test_duplicate_uid_keeps_highest_sequence() -> None:
    first = "UID:dup@example.org\nSEQUENCE:3\nDTSTART:20250101T180000Z\nSUMMARY:Nouvelle"
    older = "UID:dup@example.org\nSEQUENCE:1\nDTSTART:20250101T170000Z\nSUMMARY:Ancienne"

    (event,) = parse_calendar(calendar_with(first, older))

    assert event.title == "Nouvelle"


def test_missing_summary_and_unsafe_url() -> None:
    (event,) = parse_calendar(
        calendar_with("UID:x@example.org\nDTSTART:20250101T180000Z\nURL:javascript:alert(1)")
    )

    assert event.title == UNTITLED
    assert event.url == ""


def test_windows_1252_file_is_read() -> None:
    data = calendar_with("UID:x@example.org\nDTSTART:20250101T180000Z\nSUMMARY:Café")
    latin = data.decode("utf-8").encode("cp1252")

    assert parse_calendar(latin)[0].title == "Café"


def test_unknown_x_wr_timezone_is_ignored() -> None:
    data = calendar_with(
        "UID:x@example.org\nDTSTART:20250101T180000\nSUMMARY:x",
        headers="X-WR-TIMEZONE:Mars/Olympus\n",
    )

    assert parse_calendar(data)[0].start == utc(2025, 1, 1, 17)


# --- refusals: all or nothing ------------------------------------------------


def refusal(data: bytes, **kwargs: int) -> IcalImportError:
    with pytest.raises(IcalImportError) as caught:
        parse_calendar(data, **kwargs)
    return caught.value


GOOD_EVENT = "UID:bon@example.org\nDTSTART:20250101T180000Z\nSUMMARY:Bon"


def test_refuses_event_without_dtstart_and_names_it() -> None:
    error = refusal(calendar_with(GOOD_EVENT, "UID:sans-date@example.org\nSUMMARY:Sans date"))

    assert "DTSTART" in error.reason
    assert error.component == "VEVENT n°2 « Sans date » (UID sans-date@example.org)"
    assert str(error).startswith("VEVENT n°2")


def test_refuses_impossible_date() -> None:
    error = refusal(calendar_with(GOOD_EVENT, "UID:fevrier@example.org\nDTSTART:20240231T100000Z"))

    assert "20240231T100000Z" in error.reason
    assert "DTSTART" in error.reason
    assert "fevrier@example.org" in error.component


def test_refuses_impossible_all_day_date() -> None:
    error = refusal(calendar_with("UID:f@example.org\nDTSTART;VALUE=DATE:20240231"))

    assert "20240231" in error.reason


def test_refuses_event_without_uid() -> None:
    error = refusal(calendar_with(GOOD_EVENT, "DTSTART:20250101T180000Z\nSUMMARY:Orphelin"))

    assert "UID" in error.reason
    assert error.component == "VEVENT n°2 « Orphelin »"


def test_refuses_end_before_start() -> None:
    error = refusal(
        calendar_with("UID:e@example.org\nDTSTART:20250101T180000Z\nDTEND:20250101T170000Z")
    )

    assert "DTEND" in error.reason


def test_refuses_unknown_time_zone() -> None:
    error = refusal(calendar_with("UID:t@example.org\nDTSTART;TZID=Nowhere/Land:20250101T180000"))

    assert "Nowhere/Land" in error.reason


def test_refuses_broken_rule() -> None:
    error = refusal(
        calendar_with("UID:r@example.org\nDTSTART:20250101T180000Z\nRRULE:FREQ=SOMETIMES")
    )

    assert "RRULE" in error.reason


def test_refuses_unreadable_line_inside_an_event() -> None:
    error = refusal(
        calendar_with("UID:l@example.org\nDTSTART:20250101T180000Z\nceci n'est pas une propriété")
    )

    assert error.component.startswith("VEVENT n°1")


def test_refuses_truncated_file() -> None:
    data = MEETUP[: MEETUP.index(b"END:VCALENDAR")]

    error = refusal(data)

    assert "tronqué" in error.reason
    assert "VCALENDAR" in error.reason


def test_refuses_file_cut_in_the_middle_of_an_event() -> None:
    data = MEETUP[: MEETUP.index(b"CLASS:PUBLIC")]

    assert "VEVENT" in refusal(data).reason


def test_refuses_unbalanced_begin_end() -> None:
    data = ics(
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:u\nDTSTART:20250101T180000Z\nEND:VCALENDAR"
    )

    error = refusal(data)

    assert "END:VCALENDAR" in error.reason
    assert error.line == 6


def test_refuses_two_calendars_in_one_file() -> None:
    data = calendar_with(GOOD_EVENT) + calendar_with(GOOD_EVENT)

    assert "END:VCALENDAR" in refusal(data).reason


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"  \r\n\r\n", id="blank"),
        pytest.param(
            b'<!DOCTYPE html>\n<html lang="fr"><head><title>Agenda</title></head>'
            b"<body><p>BEGIN:VCALENDAR</p></body></html>\n",
            id="html",
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"
            b"\x00\x00\x00\x1f\xf3\xffa\x00\x00\x00\x0bIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01"
            b"\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82",
            id="png",
        ),
        pytest.param(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Maine Labs\r\nEND:VCARD\r\n", id="vcard"),
    ],
)
def test_refuses_what_is_not_an_icalendar_file(data: bytes) -> None:
    error = refusal(data)

    assert error.reason
    assert error.component is None


def test_refuses_too_many_events() -> None:
    data = calendar_with(*(f"UID:{n}@example.org\nDTSTART:20250101T180000Z" for n in range(3)))

    assert "plus de 2 événements" in refusal(data, max_events=2).reason


def test_a_limit_of_one_is_singular_and_reads_in_the_language_shown(app) -> None:
    data = calendar_with(*(f"UID:{n}@example.org\nDTSTART:20250101T180000Z" for n in range(2)))
    error = refusal(data, max_events=1)

    assert error.reason == "le fichier contient plus de 1 événement (limite)."
    with app.test_request_context("/"), force_locale("en"):
        assert error.reason == "the file holds more than 1 event (limit)."
        assert str(error) == error.reason


def test_refuses_series_expanding_beyond_max_events() -> None:
    data = calendar_with(WEEKLY_FOREVER)

    assert "plus de 5 événements" in refusal(data, max_events=5).reason


# --- hostile files: the work of an expansion is bounded ------------------------
#
# The meter counts the work itself (never the time): the periods dateutil walks,
# the starts recurring-ical-events lists, the occurrences it builds and the overridden
# occurrences it checks. Past a generous budget it stops the parse at once with a
# BaseException, which no ``except Exception`` of the importer can hide.


class TooMuchWork(BaseException):
    """The expansion went past the meter's budget."""


class WorkMeter:
    """Count the work of an expansion, stopping it past a budget."""

    BUDGET = MappingProxyType(
        {"periods": 1_000_000, "starts": 50_000, "built": 1_100, "span_checks": 100_000}
    )

    def __init__(self) -> None:
        self.budget = dict(self.BUDGET)
        self.counts = dict.fromkeys(self.BUDGET, 0)

    def tick(self, name: str) -> None:
        self.counts[name] += 1
        if self.counts[name] > self.budget[name]:
            raise TooMuchWork(f"{name}: {self.counts}")

    def counting(self, name: str, function):
        def counted(*args, **kwargs):
            self.tick(name)
            return function(*args, **kwargs)

        return counted

    def counting_each(self, name: str, generator_function):
        def counted(*args, **kwargs):
            for item in generator_function(*args, **kwargs):
                self.tick(name)
                yield item

        return counted

    def __getattr__(self, name: str) -> int:
        return self.counts[name]


@pytest.fixture
def work(monkeypatch) -> WorkMeter:
    meter = WorkMeter()
    for name in ("ydayset", "mdayset", "wdayset", "ddayset"):  # once per period walked
        monkeypatch.setattr(_iterinfo, name, meter.counting("periods", getattr(_iterinfo, name)))
    series = recurring_ical_events.Series
    monkeypatch.setattr(
        series, "rrule_between", meter.counting_each("starts", series.rrule_between)
    )
    occurrence = recurring_ical_events.Occurrence
    monkeypatch.setattr(
        occurrence, "as_component", meter.counting("built", occurrence.as_component)
    )
    adapter = recurring_ical_events.ComponentAdapter
    monkeypatch.setattr(adapter, "is_in_span", meter.counting("span_checks", adapter.is_in_span))
    return meter


def test_cancelled_daily_series_since_1900_is_refused_before_building_anything(work) -> None:
    error = refusal(hostile_ical.cancelled_daily_since_1900())

    assert error.component == "VEVENT n°1 « Permanence » (UID bomb@example.org)"
    assert "plus de 1000 occurrences dans la fenêtre d'import" in error.reason
    assert "annulées" in error.reason
    assert work.built == 0
    assert work.starts <= 1_002  # counted up to the limit, then refused
    assert work.periods <= 50_000  # dateutil's walk from 1900 to the window's end, once


def test_rule_with_thousands_of_occurrences_an_hour_is_refused_without_expanding(work) -> None:
    error = refusal(hostile_ical.cancelled_every_second())

    assert error.component == "VEVENT n°1 « Chaque seconde » (UID seconds@example.org)"
    assert "trop coûteuse" in error.reason
    assert work.periods == 0 and work.built == 0


def test_rule_that_never_matches_at_a_fine_frequency_is_refused_without_expanding(work) -> None:
    error = refusal(hostile_ical.never_matching_rules(count=3))

    assert error.component == "VEVENT n°1 « 30 février n°1 » (UID fevrier-1@example.org)"
    assert "trop coûteuse" in error.reason
    assert work.periods == 0


def test_many_costly_series_are_refused_for_the_whole_file(work) -> None:
    yearly = "UID:{n}@example.org\nSUMMARY:Jamais {n}\nDTSTART:19000101T100000Z\n"
    yearly += "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"
    data = calendar_with(*(yearly.format(n=n) for n in range(1, 31)))

    error = refusal(data)

    assert "trop de calculs" in error.reason
    assert error.component is not None and error.component.startswith("VEVENT n°")
    assert work.periods == 0


def test_many_cancelled_series_are_refused_once_the_file_visits_too_many(work) -> None:
    error = refusal(hostile_ical.cancelled_weekly_series(count=200))

    assert "plus de 20000 événements ou occurrences" in error.reason
    assert error.component is not None and "« Hebdo n°" in error.component
    assert work.built == 0
    assert work.starts <= 21_000


def test_thousands_of_cancelled_overridden_occurrences_are_refused(work) -> None:
    error = refusal(hostile_ical.cancelled_overrides(count=3_000))

    assert error.component == "VEVENT n°1 « Déplacée » (UID deplacee@example.org)"
    assert "plus de 1000 occurrences" in error.reason
    assert work.built <= 1_001
    assert work.span_checks <= 3 * 3_000  # every override checked a few times, not per step


def test_thousands_of_extra_dates_are_refused_without_expanding(work) -> None:
    error = refusal(hostile_ical.cancelled_rdates(count=3_000))

    assert error.component == "VEVENT n°1 « Mille dates » (UID dates@example.org)"
    assert "RDATE" in error.reason
    assert work.periods == 0 and work.built == 0


@pytest.mark.parametrize(
    ("start", "rule"),
    [
        ("20150106T180000Z", "FREQ=WEEKLY;BYDAY=TU"),
        ("20150106T180000Z", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=MO"),
        ("20150105T090000Z", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20250101T000000Z"),
        ("20100107T180000Z", "FREQ=MONTHLY;BYDAY=1TH"),
        ("20100129T180000Z", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("20100129T180000Z", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
        ("20100115T180000Z", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("20100131T180000Z", "FREQ=MONTHLY"),
        ("20100605T100000Z", "FREQ=MONTHLY;BYMONTH=6,7;BYDAY=SA"),
        ("19500326T100000Z", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"),
        ("19500605T100000Z", "FREQ=YEARLY;BYMONTH=6;BYDAY=MO"),
        ("19000101T100000Z", "FREQ=YEARLY"),
        ("20240229T100000Z", "FREQ=YEARLY"),
        ("20250101T180000Z", "FREQ=DAILY;COUNT=10"),
        ("20250101T180000Z", "FREQ=DAILY;BYDAY=SA,SU"),
        ("20250101T090000Z", "FREQ=HOURLY;INTERVAL=4;COUNT=100"),
    ],
)
def test_rules_calendar_applications_write_are_priced_low(work, start: str, rule: str) -> None:
    # twenty series of a shape that may never match again would pass the file's budget
    series = "UID:{n}@example.org\nSUMMARY:Série {n}\nDTSTART:" + start + "\nRRULE:" + rule
    data = calendar_with(*(series.format(n=n) for n in range(20)))
    work.budget["built"] = 20_000

    parse_calendar(data, expand_from=date(2024, 12, 1), expand_to=date(2025, 1, 31))

    assert work.periods < 20 * 30_000


def test_a_rule_that_may_skip_many_periods_is_still_accepted_alone() -> None:
    rule = "UID:r@example.org\nDTSTART:20100131T180000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=31"

    records = parse_calendar(calendar_with(rule))

    assert {record.start.day for record in records} == {31}


def test_a_hundred_everyday_series_fit_in_the_file_budget() -> None:
    monthly = "UID:{n}@example.org\nSUMMARY:Twapéro {n}\nDTSTART:20100107T180000Z\n"
    monthly += "RRULE:FREQ=MONTHLY;BYDAY=1TH"

    records = parse_calendar(calendar_with(*(monthly.format(n=n) for n in range(100))))

    assert 100 * 83 <= len(records) <= 100 * 85  # seven years of first Thursdays each


# --- kinds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("categories", "kind"),
    [
        (["Twapéro"], "twapero"),
        (["TWAPERO"], "twapero"),
        (["talk"], "conference"),
        (["Conférence"], "conference"),
        (["Workshop"], "atelier"),
        (["training"], "formation"),
        (["Hackathon"], "barcamp"),
        (["Barcamp / hackathon"], "barcamp"),
        (["After-work"], "afterwork"),
        (["assemblée générale"], "ag"),
        (["Assemblee Generale"], "ag"),
        (["AG"], "ag"),
        (["General Assembly"], "ag"),
        (["Autre"], "autre"),
        (["Numérique", "Atelier"], "atelier"),
        (["Numérique"], None),
        ([], None),
    ],
)
def test_kind_for_categories(categories: list[str], kind: str | None) -> None:
    assert kind_for_categories(categories) == kind


def test_kind_for_categories_matches_admin_kinds_by_slug_or_label() -> None:
    extra = {"game-jam": "Game jam", "repair-cafe": "Repair café"}

    assert kind_for_categories(["GAME JAM"], extra) == "game-jam"
    assert kind_for_categories(["repair-cafe"], extra) == "repair-cafe"
    assert kind_for_categories(["Repair Cafe"], extra) == "repair-cafe"
    assert kind_for_categories(["talk"], extra) == "conference"


def test_parse_calendar_uses_admin_kinds() -> None:
    data = calendar_with("UID:k@example.org\nDTSTART:20250101T180000Z\nCATEGORIES:Repair café")

    (event,) = parse_calendar(data, extra_kinds={"repair-cafe": "Repair café"})

    assert event.kind == "repair-cafe"
