"""Hostile iCalendar files: a few bytes that ask the importer for minutes or hours of work.

Each function returns the file as bytes. Before the bounded expansion, the first one
took 312 s (walking daily from 1900, cancelled occurrences not counting toward the cap)
and the others were as bad or worse; the importer now refuses each one, naming the event.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def _calendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event}END:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n".encode()


def _lines(*lines: str) -> str:
    return "".join(f"{line}\r\n" for line in lines)


def cancelled_daily_since_1900() -> bytes:
    """Return the 150-byte file: a cancelled series, daily since 1900, without end."""
    return _calendar(
        _lines(
            "UID:bomb@example.org",
            "SUMMARY:Permanence",
            "DTSTART:19000101T100000Z",
            "RRULE:FREQ=DAILY",
            "STATUS:CANCELLED",
        )
    )


def cancelled_every_second() -> bytes:
    """Return a cancelled hourly series whose BYMINUTE and BYSECOND lists make 3,600 a hour."""
    every = ",".join(str(n) for n in range(60))
    return _calendar(
        _lines(
            "UID:seconds@example.org",
            "SUMMARY:Chaque seconde",
            "DTSTART:20250101T000000Z",
            f"RRULE:FREQ=HOURLY;BYMINUTE={every};BYSECOND={every}",
            "STATUS:CANCELLED",
        )
    )


def never_matching_rules(count: int = 20) -> bytes:
    """Return series that never fall (30 February): dateutil walks each one to the year 9999."""
    return _calendar(
        *(
            _lines(
                f"UID:fevrier-{number}@example.org",
                f"SUMMARY:30 février n°{number}",
                "DTSTART:20250101T100000Z",
                "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
            )
            for number in range(1, count + 1)
        )
    )


def cancelled_weekly_series(count: int = 20_000) -> bytes:
    """Return many series (the file's limit of events), each cancelled every week since 2020."""
    return _calendar(
        *(
            _lines(
                f"UID:hebdo-{number}@example.org",
                f"SUMMARY:Hebdo n°{number}",
                "DTSTART:20200106T180000Z",
                "RRULE:FREQ=WEEKLY",
                "STATUS:CANCELLED",
            )
            for number in range(1, count + 1)
        )
    )


def cancelled_overrides(count: int = 5_000) -> bytes:
    """Return a series with thousands of cancelled overridden occurrences, one an hour."""
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
    overrides = (
        _lines(
            "UID:deplacee@example.org",
            f"SUMMARY:Déplacée n°{number}",
            f"RECURRENCE-ID:{first + timedelta(hours=number):%Y%m%dT%H%M%SZ}",
            f"DTSTART:{first + timedelta(hours=number, minutes=30):%Y%m%dT%H%M%SZ}",
            "STATUS:CANCELLED",
        )
        for number in range(1, count + 1)
    )
    core = _lines(
        "UID:deplacee@example.org",
        "SUMMARY:Déplacée",
        f"DTSTART:{first:%Y%m%dT%H%M%SZ}",
        "RRULE:FREQ=HOURLY;COUNT=1",
    )
    return _calendar(core, *overrides)


def cancelled_rdates(count: int = 5_000) -> bytes:
    """Return a cancelled series with thousands of extra dates (RDATE), one an hour."""
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
    dates = ",".join(f"{first + timedelta(hours=n):%Y%m%dT%H%M%SZ}" for n in range(1, count + 1))
    return _calendar(
        _lines(
            "UID:dates@example.org",
            "SUMMARY:Mille dates",
            f"DTSTART:{first:%Y%m%dT%H%M%SZ}",
            f"RDATE:{dates}",
            "STATUS:CANCELLED",
        )
    )
