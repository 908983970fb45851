"""Periods: parsing, presets, previous period, Paris bounds in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from coworking.periods import Period, PeriodError

TODAY = date(2026, 11, 25)


def test_parse_and_errors():
    assert Period.parse("2024-01-01", "2024-12-31") == Period(date(2024, 1, 1), date(2024, 12, 31))
    with pytest.raises(PeriodError) as reversed_range:
        Period.parse("2024-12-31", "2024-01-01")
    assert reversed_range.value.field == "to"
    assert "précède" in reversed_range.value.message
    with pytest.raises(PeriodError) as bad:
        Period.parse("31/12/2024", "2024-12-31")
    assert bad.value.field == "from"
    assert "31/12/2024" in bad.value.message
    with pytest.raises(PeriodError):
        Period.parse("", "2024-12-31")
    with pytest.raises(PeriodError):
        Period(date(2000, 1, 1), date(2024, 1, 1))


def test_presets():
    assert Period.this_year(TODAY) == Period(date(2026, 1, 1), TODAY)
    # Twelve whole calendar months ending with the current one (issue 14: whole months).
    assert Period.last_12_months(TODAY) == Period(date(2025, 12, 1), date(2026, 11, 30))
    assert len(Period.last_12_months(TODAY).months()) == 12
    assert Period.last_year(TODAY) == Period(date(2025, 1, 1), date(2025, 12, 31))
    assert Period.preset("12m", TODAY) == Period.last_12_months(TODAY)
    assert Period.last_12_months(date(2024, 2, 29)) == Period(date(2023, 3, 1), date(2024, 2, 29))
    assert Period.last_12_months(date(2026, 12, 3)) == Period(date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(PeriodError):
        Period.preset("forever", TODAY)


def test_previous_period():
    year = Period(date(2024, 1, 1), date(2024, 12, 31))
    assert year.previous() == Period(date(2023, 1, 1), date(2023, 12, 31))
    quarter = Period(date(2024, 1, 1), date(2024, 3, 31))
    assert quarter.previous() == Period(date(2023, 10, 1), date(2023, 12, 31))
    to_date = Period(date(2024, 1, 1), date(2024, 2, 29))
    assert to_date.previous() == Period(date(2023, 11, 1), date(2023, 12, 31))
    year_to_date = Period(date(2024, 1, 1), date(2024, 5, 10))
    assert year_to_date.previous() == Period(date(2023, 1, 1), date(2023, 5, 10))
    days = Period(date(2024, 3, 10), date(2024, 3, 19))
    assert days.previous() == Period(date(2024, 2, 29), date(2024, 3, 9))


def test_utc_bounds_follow_paris_time_and_daylight_saving():
    start, end = Period(date(2024, 1, 1), date(2024, 3, 31)).utc_bounds()
    assert start == datetime(2023, 12, 31, 23, tzinfo=UTC)
    assert end == datetime(2024, 3, 31, 22, tzinfo=UTC)


def test_months_and_weekdays():
    period = Period(date(2024, 1, 15), date(2024, 3, 2))
    assert [m.key for m in period.months()] == ["2024-01", "2024-02", "2024-03"]
    assert Period(date(2024, 1, 1), date(2024, 3, 31)).day_count_by_weekday() == [13] * 7
    assert Period(date(2024, 1, 1), date(2024, 1, 3)).day_count_by_weekday() == [
        1,
        1,
        1,
        0,
        0,
        0,
        0,
    ]
    assert period.as_dict() == {"from": "2024-01-15", "to": "2024-03-02", "days": 48}
