"""Journey: log in, see the dashboard shell, switch to English, log out."""

from __future__ import annotations

from tests.e2e.conftest import log_in


def test_login_dashboard_english_logout(live_server, page, tmp_path):
    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/login")
    assert page.locator("html").get_attribute("lang") == "fr"

    log_in(page, live_server)
    page.wait_for_url(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert page.locator("nav.main-nav").is_visible()

    page.click("button:has-text('English')")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Dashboard"
    page.screenshot(path=str(tmp_path / "dashboard-en.png"), full_page=True)

    page.click("button:has-text('Log out')")
    page.wait_for_url(live_server.url + "/login")
    assert page.locator("h1").inner_text() == "Log in"
    assert (tmp_path / "dashboard-en.png").stat().st_size > 1000
    assert page.errors.messages == []
