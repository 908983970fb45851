"""Journeys on a phone (390 × 844): the roll call of an evening and the front desk in place, the
navigation that always shows where you are, and pages that stay within the screen whatever
people type."""

from __future__ import annotations

import pytest

from coworking.community.models import Outcome, PressArticle
from coworking.dates import today
from coworking.events.models import Event
from coworking.extensions import db
from coworking.members.models import Member
from coworking.partners.models import Partner
from tests import factories
from tests.e2e.conftest import LAPTOP, PHONE, log_in, new_page

pytestmark = pytest.mark.e2e

PEOPLE = 50
THIRTY_FIRST = 30
# A 300-character word, typed in every text field.
WORD = "Anticonstitutionnellement" * 12


def _watch_navigation(page) -> list[str]:
    """Return the list the page's navigations are added to (none expected in place)."""
    navigations: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame == page.main_frame else None,
    )
    page.evaluate("window.__samePage = true")
    return navigations


def _fits(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


# --- the roll call ------------------------------------------------------------------------------


def test_roll_call_of_fifty_marks_the_31st_in_place(live_server, phone_page):
    with live_server.app.app_context():
        event = factories.make_event(title="Twapéro de décembre", day=today())
        for number in range(PEOPLE):
            member = factories.make_member(first_name=f"Personne {number:02d}", last_name="Roy")
            factories.make_attendance(event, member, status="registered")
        db.session.commit()
        event_id = event.id
    page = phone_page
    page.clock.install()
    log_in(page, live_server)
    page.wait_for_url(live_server.url + "/")
    page.goto(f"{live_server.url}/events/{event_id}")
    rows = page.locator("#roll-list > li")
    assert rows.count() == PEOPLE
    row = rows.nth(THIRTY_FIRST)
    assert "Personne 30 Roy" in row.inner_text()
    row.evaluate("element => element.scrollIntoView({block: 'center'})")
    before = page.evaluate("window.scrollY")
    assert before > 3000  # far down the list, as at the door
    navigations = _watch_navigation(page)

    present = row.locator("button.roll-toggle--present")
    present.click()
    status = page.locator("#live-status")
    status.get_by_text("Personne 30 Roy : présent.").wait_for()
    assert abs(page.evaluate("window.scrollY") - before) <= 50
    assert navigations == [] and page.evaluate("window.__samePage") is True
    row = page.locator(f"#{row.get_attribute('id')}")
    assert row.locator("button.roll-toggle--present").get_attribute("aria-pressed") == "true"
    # The focus stays on the button pressed, drawn again.
    assert page.evaluate("document.activeElement.id") == present.get_attribute("id")
    assert page.locator("#roll-counts .figure__value").first.inner_text() == "1"

    # « Annuler » puts it back; after ten seconds it is gone.
    status.get_by_role("button", name="Annuler").click()
    status.get_by_text("Personne 30 Roy : inscrit.").wait_for()
    assert row.locator("button.roll-toggle--present").get_attribute("aria-pressed") == "false"
    # « Annuler » gives the focus back to the row's button.
    assert page.evaluate("document.activeElement.id") == present.get_attribute("id")
    page.clock.run_for(1_000)  # a second tap this soon would be taken for a double tap
    row.locator("button.roll-toggle--present").click()
    status.get_by_text("Personne 30 Roy : présent.").wait_for()
    assert status.get_by_role("button", name="Annuler").is_visible()
    page.clock.run_for(11_000)
    assert status.get_by_role("button", name="Annuler").count() == 0
    assert navigations == []

    # A double tap marks once: the second tap, just after the answer, does not toggle back.
    next_row = page.locator("#roll-list > li").nth(THIRTY_FIRST + 1)
    next_row.locator("button.roll-toggle--present").click()
    status.get_by_text("Personne 31 Roy : présent.").wait_for()
    next_row.locator("button.roll-toggle--present").click()
    page.wait_for_load_state("networkidle")
    assert "Personne 31 Roy : présent." in status.inner_text()
    assert next_row.locator("button.roll-toggle--present").get_attribute("aria-pressed") == "true"

    # The marks were saved: they survive a reload.
    page.reload()
    row = page.locator("#roll-list > li").nth(THIRTY_FIRST)
    assert row.locator("button.roll-toggle--present").get_attribute("aria-pressed") == "true"
    next_row = page.locator("#roll-list > li").nth(THIRTY_FIRST + 1)
    assert next_row.locator("button.roll-toggle--present").get_attribute("aria-pressed") == "true"

    # The box at the top narrows the list as you type: three letters, accents ignored.
    page.fill("#member-q", "Pe")
    assert page.locator("#roll-list > li:visible").count() == PEOPLE
    page.fill("#member-q", "sonne 42")
    assert (
        page.locator("#roll-list > li:visible").all_inner_texts()[0].startswith("Personne 42 Roy")
    )
    assert page.locator("#roll-list > li:visible").count() == 1
    assert "1 personne sur la liste correspond." in page.inner_text("#roll-filter-count")
    assert page.errors.messages == []


def test_front_desk_check_in_without_leaving_the_page(live_server, phone_page):
    with live_server.app.app_context():
        factories.make_member(first_name="Noëlle", last_name="Bérénger")
        db.session.commit()
    page = phone_page
    log_in(page, live_server)
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/checkins")
    page.fill("#desk-q", "noe")
    result = page.locator("#desk-results li", has_text="Noëlle")
    result.wait_for()
    navigations = _watch_navigation(page)
    result.get_by_role("button", name="Journée pour Noëlle Bérénger", exact=True).click()
    page.locator("#live-status", has_text="Noëlle Bérénger est enregistré(e)").wait_for()
    assert page.locator("#desk-today li", has_text="Noëlle").count() == 1
    assert "déjà là aujourd'hui" in page.inner_text("#desk-results")
    assert page.evaluate("document.activeElement.id") == "desk-q"
    assert navigations == [] and page.evaluate("window.__samePage") is True
    # A walk-in without a record, then the next one: the form stays open, emptied.
    page.click("#desk-visitor summary")
    page.fill("#visitor_name", "Paul Passant")
    page.click("#desk-visitor button[value=half]")
    page.locator("#live-status", has_text="Paul Passant est enregistré(e)").wait_for()
    assert page.input_value("#visitor_name") == ""
    assert page.evaluate("document.activeElement.id") == "visitor_name"
    assert page.locator("#desk-today li").count() == 2
    assert navigations == []
    assert page.errors.messages == []


# --- the navigation -----------------------------------------------------------------------------

# The main pages, and a page under each: the navigation names its section.
SECTIONS = {
    "/": "Tableau de bord",
    "/checkins": "Accueil",
    "/checkins/month": "Accueil",
    "/members": "Membres",
    "/members/new": "Membres",
    "/events": "Événements",
    "/events/calendar": "Événements",
    "/community": "Communauté",
    "/community/press": "Communauté",
    "/label": "Label",
    "/label/dossiers": "Label",
    "/admin/users": "Administration",
    "/admin/space": "Administration",
}

CURRENT = """() => {
  const marked = [...document.querySelectorAll(
    'nav.main-nav a[aria-current="page"], nav.main-nav details[data-current] > summary')];
  return marked.map(element => {
    const box = element.getBoundingClientRect();
    const visible = box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0
      && box.bottom <= innerHeight && box.right <= innerWidth;
    return visible ? element.innerText.replace(/\\s+/g, " ").trim() : null;
  }).filter(Boolean);
}"""


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_navigation_always_shows_the_current_section(browser, demo_server, viewport):
    page = new_page(browser, viewport)
    log_in(page, demo_server)
    page.wait_for_url(demo_server.url + "/")
    for path, section in SECTIONS.items():
        page.goto(demo_server.url + path)
        shown = page.evaluate(CURRENT)
        assert any(section in text for text in shown), (path, shown)
        # Scrolled to the bottom, the phone's bar still says where you are.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        if viewport is PHONE:
            assert any(section in text for text in page.evaluate(CURRENT)), path
    assert page.locator('nav.main-nav [aria-current="page"]').count() >= 1
    if viewport is PHONE:
        # « Plus » opens the other sections in one tap.
        page.goto(demo_server.url + "/members")
        page.click("nav.main-nav .nav-more summary")
        page.get_by_role("link", name="Label").click()
        page.wait_for_url(demo_server.url + "/label")
    page.context.close()


# --- whatever people type -----------------------------------------------------------------------

TEXT_FIELDS = "input[type=text], input:not([type]), input[type=search], input[type=email], textarea"


def _type_everywhere(page, form: str, skip: tuple[str, ...] = ()) -> None:
    """Type the 300-character word in every visible text field of the form."""
    for field in page.locator(f"{form} :is({TEXT_FIELDS})").all():
        if field.is_visible() and (field.get_attribute("name") or "") not in skip:
            field.fill(WORD)


def _check_fits(page, where: str, problems: list[str]) -> None:
    width = _fits(page)
    if width > PHONE["width"]:
        problems.append(f"{where}: {width} px wide")


FORMS = [
    # (the form's page, the fields to leave as they are so that it saves, typed values)
    ("/members/new", ("email", "postcode", "twitter", "mastodon", "linkedin", "phone"), {}),
    (
        "/events/new",
        ("url",),
        {"start_date": "2030-03-07", "start_time": "18:30", "end_time": "20:00"},
    ),
    ("/community/partners/new", ("website", "contact_email", "contact_phone"), {}),
    ("/community/press/new", ("url",), {"published_on": "2025-05-02"}),
    ("/community/outcomes/new", ("member_find",), {"happened_on": "2025-05-02"}),
]


def test_no_page_is_wider_than_a_phone_whatever_is_typed(live_server, browser):
    with live_server.app.app_context():
        member = factories.make_member(first_name="Léa", last_name="Martin")
        event = factories.make_event(title="Twapéro", day=today())
        factories.make_attendance(event, member, status="registered")
        factories.make_partner(name="Bar Ginette", kind="lieu", hosts_events=True)
        db.session.commit()
        event_id = event.id
    page = new_page(browser, PHONE)
    log_in(page, live_server)
    page.wait_for_url(live_server.url + "/")
    problems: list[str] = []
    form = "main form[method=post]"
    for path, keep, values in FORMS:
        # Every text field: most refuse the word, and the page with the errors still fits.
        page.goto(live_server.url + path)
        _type_everywhere(page, form)
        for name, value in values.items():
            page.fill(f"{form} [name={name}]", value)
        _check_fits(page, f"{path} (typed)", problems)
        page.locator(f"{form} button[type=submit]").last.click()
        page.wait_for_load_state()
        _check_fits(page, f"{path} (refused)", problems)
        # The free-text fields only: it saves, and the pages that show it still fit.
        page.goto(live_server.url + path)
        _type_everywhere(page, form, keep)
        for name, value in values.items():
            page.fill(f"{form} [name={name}]", value)
        page.locator(f"{form} button[type=submit]").last.click()
        page.wait_for_load_state()
        _check_fits(page, f"{path} (saved: {page.url})", problems)
        assert page.locator(".flash--success").count() == 1, (path, page.url)

    # The roll call with a walk-in, the desk with a visitor.
    page.goto(f"{live_server.url}/events/{event_id}")
    page.fill("#guest_name", WORD)
    page.click("#guest-card button[value=attended]")
    page.locator("#live-status", has_text=WORD[:20]).wait_for()
    _check_fits(page, "roll call with a walk-in", problems)
    page.fill("#member-q", WORD)
    page.keyboard.press("Enter")
    _check_fits(page, "roll call searched", problems)
    page.goto(live_server.url + "/checkins")
    page.click("#desk-visitor summary")
    page.fill("#visitor_name", WORD)
    page.click("#desk-visitor button[value=full]")
    page.locator("#live-status", has_text=WORD[:20]).wait_for()
    _check_fits(page, "front desk with a visitor", problems)
    page.fill("#desk-q", WORD)
    _check_fits(page, "front desk searched", problems)

    # Every page that lists or shows what was typed.
    with live_server.app.app_context():
        shown = [
            f"/members/{db.session.scalar(db.select(Member.id).order_by(Member.id.desc()))}",
            f"/events/{db.session.scalar(db.select(Event.id).order_by(Event.id.desc()))}",
            f"/community/partners/{db.session.scalar(db.select(Partner.id).order_by(Partner.id.desc()))}",
            f"/community/outcomes/{db.session.scalar(db.select(Outcome.id))}/edit",
            f"/community/press/{db.session.scalar(db.select(PressArticle.id))}/edit",
        ]
    for path in [
        "/members",
        "/events?from=2030-01-01",
        "/events/calendar?month=2030-03",
        "/community",
        "/community/partners",
        "/community/press",
        "/community/outcomes",
        "/checkins",
        "/admin/audit",
        *shown,
    ]:
        page.goto(live_server.url + path)
        _check_fits(page, path, problems)
    page.context.close()
    assert problems == [], "\n".join(problems)


CHART_TEXT = """() => [...document.querySelectorAll("svg.chart")].map(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll("text")].map(
    text => parseFloat(getComputedStyle(text).fontSize) * scale);
  return Math.min(...sizes);
})"""


def test_charts_read_on_a_phone(browser, demo_server):
    page = new_page(browser, PHONE)
    log_in(page, demo_server)
    page.wait_for_url(demo_server.url + "/")
    sizes = page.evaluate(CHART_TEXT)
    assert len(sizes) >= 4 and min(sizes) >= 11, sizes  # about 5 px before
    # Each chart scrolls inside its card (reached by the keyboard), its numbers listed under it.
    boxes = page.locator(".chart-scroll")
    assert boxes.first.get_attribute("tabindex") == "0"
    assert boxes.first.get_attribute("aria-label")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    figure = page.locator(".chart-figure").first
    figure.locator("summary").click()
    assert figure.locator("table tbody tr").count() >= 1
    page.context.close()
