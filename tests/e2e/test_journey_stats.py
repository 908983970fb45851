"""Journey: the dashboard for a custom period, its chart data, and the label readiness page."""

from __future__ import annotations

import os
from pathlib import Path

from coworking.extensions import db
from coworking.label.criteria import ensure_default_criteria
from tests.e2e.conftest import log_in
from tests.test_indicators import build_quarter

SHOTS = Path(os.environ.get("COWORKING_SHOTS", "")) if os.environ.get("COWORKING_SHOTS") else None


def test_dashboard_and_readiness(live_server, page, phone_page, tmp_path):
    with live_server.app.app_context():
        build_quarter()
        ensure_default_criteria()
        db.session.commit()
    shots = SHOTS or tmp_path
    log_in(page, live_server)
    page.wait_for_url(live_server.url + "/")
    page.fill("#period-from", "2024-01-01")
    page.fill("#period-to", "2024-03-31")
    page.click("button:has-text('Afficher')")
    page.wait_for_load_state()
    assert "from=2024-01-01" in page.url
    assert page.locator(".figure").count() == 12
    assert page.locator("figure.chart-figure svg").count() == 5
    page.locator("figure.chart-figure summary").first.click()
    assert page.locator("figure.chart-figure table").first.is_visible()
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)

    page.click("nav.main-nav a:has-text('Label')")
    page.wait_for_load_state()
    page.goto(live_server.url + "/label?from=2024-01-01&to=2024-03-31")
    assert page.locator("#criterion-PROG-1").is_visible()
    assert "il manque 189 événements" in page.locator("#criterion-PROG-1").inner_text()
    page.screenshot(path=str(shots / "label.png"), full_page=True)
    assert page.errors.messages == []

    log_in(phone_page, live_server)
    phone_page.wait_for_url(live_server.url + "/")
    phone_page.goto(live_server.url + "/?from=2024-01-01&to=2024-03-31")
    phone_page.screenshot(path=str(shots / "dashboard-phone.png"), full_page=True)
    assert phone_page.errors.messages == []
