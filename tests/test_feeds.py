"""Public feeds: /calendar.ics and /api/v1/events (no login, public events only, caching, CORS)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from coworking.extensions import db
from tests.factories import make_event, make_partner, paris

PARIS = ZoneInfo("Europe/Paris")


def _fill(app) -> None:
    with app.app_context():
        bar = make_partner(name="Le Bar du Coin", kind="lieu", address="12 rue Saint-Laud, Angers")
        # Both sides of the spring daylight-saving change (30 March 2031).
        make_event(
            title="Twapéro de mars",
            starts_at=paris(2031, 3, 27, 19),
            kind="twapero",
            venue_partner_id=bar.id,
            hashtags="twapero angers",
            description="Ligne 1\nLigne 2",
        )
        make_event(title="Twapéro d'avril", starts_at=paris(2031, 4, 3, 19), kind="twapero")
        make_event(
            title="AG des membres", starts_at=paris(2031, 3, 20, 18), kind="ag", is_public=False
        )
        make_event(title="Conf annulée", starts_at=paris(2031, 3, 21, 18), cancelled=True)
        make_event(
            title="Barcamp",
            starts_at=paris(2031, 5, 10, 0),
            ends_at=paris(2031, 5, 12, 0),
            all_day=True,
            kind="barcamp",
        )
        make_event(title="Il y a deux ans", starts_at=datetime.now(UTC) - timedelta(days=730))
        db.session.commit()


def test_calendar_feed_is_public_valid_and_right_across_dst(app, client):
    _fill(app)
    response = client.get("/calendar.ics?from=2031-01-01")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Twapéro de mars", "Twapéro d'avril", "Barcamp"}
    march, april = events["Twapéro de mars"], events["Twapéro d'avril"]
    assert march["DTSTART"].dt == datetime(2031, 3, 27, 19, tzinfo=PARIS)
    assert march["DTSTART"].dt.utcoffset() == timedelta(hours=1)
    assert april["DTSTART"].dt == datetime(2031, 4, 3, 19, tzinfo=PARIS)
    assert april["DTSTART"].dt.utcoffset() == timedelta(hours=2)
    assert march["DTSTART"].params["TZID"] == "Europe/Paris"
    for name in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
        assert name in march
    assert "Le Bar du Coin" in str(march["LOCATION"])
    assert str(march["DESCRIPTION"]) == "Ligne 1\nLigne 2"
    barcamp = events["Barcamp"]
    assert barcamp["DTSTART"].dt == date(2031, 5, 10) and barcamp["DTEND"].dt == date(2031, 5, 12)


def test_default_window_is_twelve_months_back(app, client):
    _fill(app)
    body = client.get("/calendar.ics").data
    assert b"Twap" in body and b"Il y a deux ans" not in body
    assert b"Il y a deux ans" in client.get("/calendar.ics?from=2000-01-01").data


def test_api_events_shape(app, client):
    _fill(app)
    response = client.get("/api/v1/events?from=2031-03-01&to=2031-04-30")
    assert response.status_code == 200 and response.is_json
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    events = response.get_json()["events"]
    assert [e["title"] for e in events] == ["Twapéro de mars", "Twapéro d'avril"]
    march, april = events
    assert set(march) >= {
        "id",
        "title",
        "kind",
        "start",
        "end",
        "all_day",
        "location",
        "url",
        "description",
        "hashtags",
    }
    assert march["start"] == "2031-03-27T19:00:00+01:00"
    assert april["start"] == "2031-04-03T19:00:00+02:00"
    assert march["hashtags"] == ["twapero", "angers"] and march["kind"] == "twapero"
    assert march["all_day"] is False and "Le Bar du Coin" in march["location"]


def test_etag_and_last_modified_give_304(app, client):
    _fill(app)
    for path in ("/calendar.ics?from=2031-01-01", "/api/v1/events?from=2031-01-01"):
        first = client.get(path)
        etag = first.headers["ETag"]
        assert first.headers["Last-Modified"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    first = client.get("/api/v1/events?from=2031-01-01").headers["ETag"]
    with app.app_context():
        make_event(title="Nouveau", starts_at=paris(2031, 6, 1, 18))
        db.session.commit()
    assert client.get("/api/v1/events?from=2031-01-01").headers["ETag"] != first


def test_bad_ranges_are_400(app, client):
    response = client.get("/api/v1/events?from=2031-05-01&to=2031-04-01")
    assert response.status_code == 400 and response.is_json
    assert "inversée" in response.get_json()["error"]
    response = client.get("/api/v1/events?from=hier")
    assert response.status_code == 400 and "AAAA-MM-JJ" in response.get_json()["error"]
    response = client.get("/calendar.ics?from=2031-05-01&to=2031-04-01")
    assert response.status_code == 400 and "inversée" in response.get_data(as_text=True)


def test_members_only_and_cancelled_never_appear(app, client):
    _fill(app)
    for path in ("/calendar.ics?from=2000-01-01", "/api/v1/events?from=2000-01-01"):
        body = client.get(path).get_data(as_text=True)
        assert "AG des membres" not in body and "Conf annulée" not in body
