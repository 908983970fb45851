"""Journey: create a member, find them without accents, check them in from a phone, see the visit."""

from __future__ import annotations

from tests.e2e.conftest import log_in


def _shot(page, tmp_path, name: str) -> None:
    """Save a full-page screenshot under the test's own tmp_path (kept by pytest for a while)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000


def test_member_created_found_checked_in_and_seen(live_server, page, phone_page, tmp_path):
    log_in(page, live_server)
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/members/new")
    page.fill("input[name=first_name]", "Noëlle")
    page.fill("input[name=last_name]", "Bérénger")
    page.fill("input[name=email]", "noelle@example.org")
    page.select_option("select[name=profession_category]", "web")
    page.fill("input[name=organisation]", "Atelier Numérique")
    page.check("input[name=consent_data]")
    page.click("button:has-text('Enregistrer')")
    page.wait_for_url("**/members/*")
    assert "Noëlle Bérénger" in page.locator("h1").inner_text()

    page.goto(live_server.url + "/members")
    page.fill("input[name=q]", "berenger")
    page.click("button:has-text('Filtrer')")
    page.wait_for_load_state()
    assert page.locator("table.table tbody tr").count() == 1
    _shot(page, tmp_path, "members-list")

    log_in(phone_page, live_server)
    phone_page.wait_for_url(live_server.url + "/")
    phone_page.goto(live_server.url + "/checkins")
    phone_page.fill("#desk-q", "noe")
    result = phone_page.locator(".desk-results li", has_text="Noëlle")
    result.wait_for()
    _shot(phone_page, tmp_path, "desk-search")
    result.locator("button", has_text="½ journée").click()
    # In place: announced with « Annuler », the day's list updated, the page not reloaded.
    phone_page.locator("#live-status", has_text="Noëlle Bérénger est enregistré(e)").wait_for()
    assert phone_page.locator(".desk-today li", has_text="Noëlle").count() == 1
    _shot(phone_page, tmp_path, "desk-today")

    page.goto(live_server.url + "/members")
    page.click("a:has-text('Bérénger')")
    page.wait_for_load_state()
    visits = page.locator("#visits")
    assert "(1)" in visits.inner_text() and "demi-journée" in visits.inner_text()
    _shot(page, tmp_path, "member-page")
    assert page.errors.messages == []
    assert phone_page.errors.messages == []
