"""Every page reachable from the navigation, on a phone and a laptop, as an admin on the demo
community: axe-core finds no serious or critical violation, the page is no wider than the
screen, the navigation shows the current section, and the keyboard shows where it is.

One seeded server and one browser serve the whole sweep (tests/e2e/conftest.py).
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from tests.e2e.conftest import LAPTOP, PHONE, log_in, new_page

pytestmark = pytest.mark.e2e

# Files and feeds, not pages; and the way out.
NOT_PAGES = re.compile(
    r"\.(csv|ics|json|pdf|png|jpe?g|webp|svg)$|^/(logout|static|api)/|/(thumbnail|file|download)$"
)
MAX_DEPTH = 2
MAX_PAGES = 80
SERIOUS = ("serious", "critical")


def _kind(path: str) -> str:
    """One page of each kind: /members/12 and /members/40 are the same page."""
    return re.sub(r"\d+", "N", path)


def crawl(page, base: str) -> list[str]:
    """Return the pages reachable from the navigation: its sections, and the pages their
    links lead to and the links of those (one page of each kind, queries left out)."""
    page.goto(base + "/")
    sections = page.eval_on_selector_all(
        "nav.main-nav a[href]", "links => links.map(link => link.getAttribute('href'))"
    )
    queue = deque((path, 0) for path in dict.fromkeys(sections))
    seen: dict[str, str] = {}
    while queue and len(seen) < MAX_PAGES:
        path, depth = queue.popleft()
        kind = _kind(urlsplit(path).path)
        if kind in seen or NOT_PAGES.search(urlsplit(path).path):
            continue
        response = page.goto(base + path)
        if (
            response is None
            or response.status != 200
            or "text/html" not in (response.headers.get("content-type", ""))
        ):
            continue
        seen[kind] = path
        if depth >= MAX_DEPTH:
            continue
        links = page.eval_on_selector_all(
            "main a[href]", "links => links.map(link => link.getAttribute('href'))"
        )
        for href in links:
            parts = urlsplit(urljoin(base + path, href))
            if parts.netloc == urlsplit(base).netloc and parts.path:
                queue.append((parts.path + (f"?{parts.query}" if parts.query else ""), depth + 1))
    return list(seen.values())


@pytest.fixture(scope="module")
def pages_to_check(browser, demo_server) -> list[str]:
    page = new_page(browser, LAPTOP)
    log_in(page, demo_server)
    page.wait_for_url(demo_server.url + "/")
    try:
        return crawl(page, demo_server.url)
    finally:
        page.context.close()


def _describe(violation: dict) -> str:
    nodes = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — {nodes}"


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_every_page_is_accessible_and_fits_its_screen(
    browser, demo_server, pages_to_check, viewport
):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = new_page(browser, viewport)
    log_in(page, demo_server)
    page.wait_for_url(demo_server.url + "/")
    problems: list[str] = []
    assert len(pages_to_check) >= 35, pages_to_check  # the issue counted 39
    for path in pages_to_check:
        page.goto(demo_server.url + path)
        # Fold-outs open (the membership form, the visitor's, a chart's numbers, « Plus »):
        # what they hold is checked too.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            problems.append(f"{path}: {width} px wide in {viewport['width']} px")
        results = axe.run(page, options={"resultTypes": ["violations"]})
        for violation in results.response["violations"]:
            if violation["impact"] in SERIOUS:
                problems.append(f"{path}: {_describe(violation)}")
    page.context.close()
    assert problems == [], "\n".join(problems)
    assert page.errors.messages == []


ERROR_STATES = ("/members/new", "/events/new", "/community/partners/new", "/community/press/new")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_forms_showing_their_errors_are_accessible(browser, demo_server, viewport):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = new_page(browser, viewport)
    log_in(page, demo_server)
    page.wait_for_url(demo_server.url + "/")
    problems: list[str] = []
    for path in ERROR_STATES:
        page.goto(demo_server.url + path)
        page.locator("main form[method=post] button[type=submit]").last.click()
        page.wait_for_load_state()
        assert page.locator(".errors").count() > 0, path
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in SERIOUS:
                problems.append(f"{path} (errors): {_describe(violation)}")
    page.context.close()
    assert problems == [], "\n".join(problems)


FOCUS_CHECK = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return {
    what: element.tagName + (element.id ? "#" + element.id : "") + " " + (element.textContent || element.value || "").trim().slice(0, 30),
    visible: outline || style.boxShadow !== "none",
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
  };
}"""


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_keyboard_reaches_every_action_with_a_visible_focus(browser, demo_server, viewport):
    page = new_page(browser, viewport)
    log_in(page, demo_server)
    page.wait_for_url(demo_server.url + "/")
    problems: list[str] = []
    for path in ("/checkins", "/members", "/events", "/community", "/"):
        page.goto(demo_server.url + path)
        seen = 0
        for _ in range(30):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_CHECK)
            if focused is None:
                continue
            seen += 1
            if not focused["visible"] or not focused["onScreen"]:
                problems.append(f"{path}: {focused}")
        assert seen >= 10, path
    page.context.close()
    assert problems == [], "\n".join(problems)
