"""Browser journeys: a live server in a thread and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from coworking.extensions import db
from tests import factories
from tests.conftest import make_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveServer:
    url: str
    app: object
    admin_email: str
    password: str = factories.PASSWORD


@contextmanager
def _serve(instance: Path, fill: Callable[[], None] | None = None) -> Iterator[LiveServer]:
    """Serve the app on a free port of 127.0.0.1, on a fresh SQLite file, with one admin."""
    app = make_app(f"sqlite:///{instance / 'e2e.sqlite3'}", instance)
    app.config["TESTING"] = False
    with app.app_context():
        db.create_all()
        if fill is not None:
            fill()
        admin = factories.make_user(role="admin", email="admin@example.org")
        db.session.commit()
        email = admin.email
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, admin_email=email)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(tmp_path) -> Iterator[LiveServer]:
    """The app on a fresh, empty database with one admin (one per test)."""
    with _serve(tmp_path / "instance") as server:
        yield server


DEMO_MEMBERS = 150
DEMO_YEARS = 2


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app on the demo community, with one admin, shared by the tests that only read
    (the accessibility sweep, the navigation): seeded once for the whole session."""
    from coworking.seed.demo import seed_demo

    def fill() -> None:
        seed_demo(members=DEMO_MEMBERS, years=DEMO_YEARS)

    with _serve(tmp_path_factory.mktemp("demo") / "instance", fill) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests: pip install playwright (make test installs it)")
    if not Path(CHROMIUM).exists():
        pytest.skip("browser tests: install Debian's Chromium (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageErrors:
    messages: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser, tmp_path):
    """A fresh browser page that records console errors and failed requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    errors = PageErrors()
    page.on(
        "console",
        lambda message: errors.messages.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.messages.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


def new_page(browser, viewport: dict[str, int]):
    """A page of a fresh context at this size (a phone's is touch, at twice the density),
    recording console errors and failed requests in ``page.errors``."""
    phone = viewport["width"] < 600
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
        locale="fr-FR",
    )
    page = context.new_page()
    errors = PageErrors()
    page.on(
        "console",
        lambda message: errors.messages.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.messages.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (front desk, roll call)."""
    page = new_page(browser, PHONE)
    yield page
    page.context.close()


def log_in(page, server: LiveServer, email: str | None = None) -> None:
    page.goto(server.url + "/login")
    page.fill("input[name=email]", email or server.admin_email)
    page.fill("input[name=password]", server.password)
    page.click("button[type=submit]:has-text('Se connecter')")
