"""Journey: create a monthly twapéro series, take one evening's roll call on a phone, see the public agenda."""

from __future__ import annotations

import icalendar
import pytest

from coworking.events.models import Event
from coworking.extensions import db
from tests.e2e.conftest import log_in
from tests.factories import make_member

pytestmark = pytest.mark.e2e


def test_twapero_series_roll_call_on_a_phone_and_public_agenda(
    live_server, page, phone_page, tmp_path
):
    with live_server.app.app_context():
        make_member(first_name="Élodie", last_name="Bérard", organisation="Maine Labs")
        db.session.commit()

    # A manager creates the "first Thursday" twapéro series on a desktop.
    log_in(page, live_server)
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/events/series/new")
    page.fill("#title", "Twapéro")
    page.select_option("#kind", "twapero")
    page.fill("#start_date", "2030-01-03")  # a Thursday
    page.fill("#start_time", "19:00")
    page.fill("#end_time", "22:00")
    page.select_option("#rule", "monthly_nth_weekday")
    page.select_option("#nth", "1")
    page.fill("#until", "2030-06-30")
    page.fill("#hashtags", "#twapero #angers")
    page.click("button:has-text('Créer la série')")
    page.wait_for_url("**/events?kind=twapero")
    assert "Série créée : 6 événements" in page.inner_text(".flashes")
    page.goto(live_server.url + "/events/calendar?month=2030-03")
    assert page.locator(".month__event", has_text="Twapéro").count() == 1
    page.screenshot(path=str(tmp_path / "month.png"), full_page=True)
    assert page.errors.messages == []

    with live_server.app.app_context():
        march = db.session.scalar(
            db.select(Event).where(Event.title == "Twapéro").order_by(Event.starts_at).offset(2)
        )
        event_id = march.id

    # On the night, the roll call from a phone.
    log_in(phone_page, live_server)
    phone_page.wait_for_url(live_server.url + "/")
    phone_page.goto(f"{live_server.url}/events/{event_id}")
    assert "7 mars 2030" in phone_page.inner_text(".event-facts")
    phone_page.fill("#member-q", "elodie")
    phone_page.locator("#member-results li", has_text="Bérard").wait_for()
    # Marks are sent in place: announced in the status line, no page load.
    phone_page.locator("#member-results button[value=attended]").first.click()
    status = phone_page.locator("#live-status")
    status.get_by_text("Élodie Bérard : présent.").wait_for()
    phone_page.fill("#guest_name", "Jo Invité")
    phone_page.click("form[action$='/attendance/guest'] button[value=attended]")
    status.get_by_text("Jo Invité : présent.").wait_for()
    rows = phone_page.locator(".roll-list__row")
    assert rows.count() == 2
    berard = phone_page.locator(".roll-list__row", has_text="Bérard")
    assert berard.locator(".roll-toggle--present").get_attribute("aria-pressed") == "true"
    assert berard.locator(".badge--ok", has_text="1re venue").count() == 1
    phone_page.locator(".roll-list__row", has_text="Jo Invité").locator(
        "button.roll-toggle--absent"
    ).click()
    status.get_by_text("Jo Invité : absent.").wait_for()
    phone_page.locator("#roll-call").scroll_into_view_if_needed()
    phone_page.screenshot(path=str(tmp_path / "roll-call-phone.png"), full_page=True)
    assert phone_page.errors.messages == []

    # Anyone sees it on the public agenda, without logging in.
    response = page.context.request.get(live_server.url + "/calendar.ics?from=2030-01-01")
    assert response.status == 200
    calendar = icalendar.Calendar.from_ical(response.body())
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert summaries.count("Twapéro") == 6
    assert (tmp_path / "roll-call-phone.png").stat().st_size > 1000
