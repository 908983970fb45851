"""Journey: an admin opens the demo space's profile, fixes the SIRET, adds a board member."""

from __future__ import annotations

from datetime import date

from coworking.extensions import db
from coworking.seed import demo
from tests.e2e.conftest import log_in


def test_admin_edits_the_seeded_profile(live_server, page, phone_page, tmp_path):
    with live_server.app.app_context():
        demo.seed_demo(members=40, years=1, seed=5, today=date(2024, 6, 14))
        db.session.commit()

    log_in(page, live_server)
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/admin/space")
    assert page.locator("#identity input[name=name]").input_value() == "Maine Labs"
    assert page.locator("img.thumb").is_visible()  # the demo logo, served by /space/logo
    page.screenshot(path=str(tmp_path / "profile.png"), full_page=True)

    page.fill("input[name=siret]", "732 829 320 00075")
    page.click("button:has-text('Enregistrer le profil')")
    assert "clé de contrôle" in page.locator("#siret-errors").inner_text()
    page.fill("input[name=siret]", "732 829 320 00074")
    page.click("button:has-text('Enregistrer le profil')")
    page.wait_for_url(live_server.url + "/admin/space")
    assert "Profil de l'espace enregistré." in page.locator(".flashes").inner_text()
    assert page.locator("input[name=siret]").input_value() == "73282932000074"

    page.fill("#board input[name=name]", "Jeanne Testeuse")
    page.fill("#board input[name=role]", "Secrétaire adjointe")
    page.click("button:has-text('Ajouter au bureau')")
    assert page.locator("#board table").get_by_text("Jeanne Testeuse").is_visible()
    # The refused SIRET answered 400 on purpose (an error next to the field); nothing else failed.
    unexpected = [m for m in page.errors.messages if "status of 400" not in m]
    assert unexpected == []

    log_in(phone_page, live_server)
    phone_page.wait_for_url(live_server.url + "/")
    phone_page.goto(live_server.url + "/admin/space#budget")
    phone_page.screenshot(path=str(tmp_path / "profile-phone.png"), full_page=False)
    assert phone_page.locator("#budget table").first.is_visible()
    assert phone_page.errors.messages == []
    assert (tmp_path / "profile.png").stat().st_size > 10_000
