"""Journey: record an outcome with a testimonial for a member, then find it on the community page.

The member page is built by another feature; the journey starts from the link it will
carry, /community/outcomes/new?member_id=N, for a member created in the database.
"""

from __future__ import annotations

import pytest

from coworking.extensions import db
from tests.e2e.conftest import log_in
from tests.factories import make_event, make_member, make_mention, make_partner

pytestmark = pytest.mark.e2e


def test_record_outcome_with_testimonial_and_find_it(live_server, page, tmp_path):
    with live_server.app.app_context():
        lea = make_member(first_name="Léa", last_name="Martin")
        make_member(first_name="Paul", last_name="Durand")
        make_event(title="Twapéro de mars", hashtags="twapero")
        make_partner(name="Bar Ginette", kind="lieu", hosts_events=True)
        db.session.commit()
        lea_id = lea.id

    log_in(page, live_server)
    page.wait_for_url(live_server.url + "/")
    # From the member's page, the way a manager records what came of the twapéros.
    page.goto(f"{live_server.url}/members/{lea_id}")
    page.click("a:has-text('Noter une retombée')")
    page.wait_for_selector("h1:has-text('Nouvelle retombée')")
    assert f"member_id={lea_id}" in page.url
    chosen = page.locator("#member_ids li", has=page.locator("input:checked"))
    assert chosen.all_inner_texts() == ["Léa Martin"]
    # Checkboxes, a tap each: the search finds Paul while typing, ticking him keeps Léa.
    page.fill("#member_find", "dur")
    paul = page.locator("#member-found li", has_text="Paul Durand")
    paul.wait_for()
    paul.locator("input").check()
    assert page.locator("input[name=member_ids]:checked").count() == 2

    page.select_option("#kind", "stage")
    page.fill("#title", "Stage trouvé au twapéro")
    page.fill("#happened_on", "2024-04-02")
    page.fill("#description", "Son futur tuteur la croisait à chaque twapéro.")
    page.select_option("#event_id", label=page.locator("#event_id option").nth(1).inner_text())
    page.select_option("#partner_id", label="Bar Ginette")
    page.fill("#testimonial", "J'ai trouvé mon stage en trinquant au twapéro.")
    page.fill("#testimonial_author", "Léa, étudiante en master")
    page.check("#consent")
    page.screenshot(path=str(tmp_path / "outcome-form.png"), full_page=True)
    page.click("button:has-text('Enregistrer')")
    # Back on the member's page, the outcome is listed.
    page.wait_for_url(f"**/members/{lea_id}")
    assert "Retombée « Stage trouvé au twapéro » enregistrée." in page.inner_text(".flashes")
    assert "Stage trouvé au twapéro" in page.inner_text("main")

    page.click("nav.main-nav a:has-text('Communauté')")
    page.wait_for_url(live_server.url + "/community")
    quote = page.locator("blockquote.quote").first
    assert "J'ai trouvé mon stage en trinquant au twapéro." in quote.inner_text()
    assert "Léa, étudiante en master" in quote.inner_text()
    assert "Stage trouvé au twapéro" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "community.png"), full_page=True)
    assert page.errors.messages == []


def test_mentions_on_a_phone(live_server, phone_page, tmp_path):
    from datetime import UTC, datetime

    with live_server.app.app_context():
        event = make_event(
            title="Twapéro de mars",
            hashtags="twapero",
            starts_at=datetime(2024, 3, 14, 18, 30, tzinfo=UTC),
        )
        make_mention(
            platform="mastodon",
            author="@anne@mastodon.social",
            text="Super #twapero hier soir chez Ginette, merci à toutes et à tous ! "
            "https://mainelabs.fr/agenda/un-lien-tres-long-qui-ne-doit-pas-deborder-de-l-ecran",
            hashtags="twapero angers",
            url="https://mastodon.social/@anne/1",
            suggested_event_id=event.id,
            posted_at=datetime(2024, 3, 15, 8, 0, tzinfo=UTC),
        )
        db.session.commit()
    log_in(phone_page, live_server)
    phone_page.wait_for_url(live_server.url + "/")
    phone_page.goto(live_server.url + "/community/mentions")
    assert phone_page.locator("h1").inner_text().startswith("Mentions")
    phone_page.click("button:has-text('Confirmer')")
    phone_page.wait_for_load_state()
    assert "Événement : Twapéro de mars" in phone_page.inner_text("main")
    phone_page.screenshot(path=str(tmp_path / "mentions-phone.png"), full_page=True)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert phone_page.errors.messages == []
