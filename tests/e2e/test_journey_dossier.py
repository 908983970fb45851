"""Journey: an applicant asks for a dossier, waits for the page to update itself, downloads it."""

from __future__ import annotations

import hashlib

import pytest

from coworking.extensions import db
from tests.e2e.conftest import log_in
from tests.factories import make_document, sample_pdf
from tests.scenarios_dossier import build_year

pytestmark = pytest.mark.e2e


def test_generate_wait_and_download_a_dossier(live_server, page, tmp_path):
    live_server.app.config["COWORKING_DOSSIER_WORKER"] = "thread"
    with live_server.app.app_context():
        build_year()
        make_document(
            sample_pdf("Lettre de soutien"), kind="support_letter", title="Lettre de la ville"
        )
        db.session.commit()
    log_in(page, live_server)
    page.goto(live_server.url + "/label/dossiers")
    page.fill("input[name=start]", "2024-01-01")
    page.fill("input[name=end]", "2024-12-31")
    page.fill("input[name=title]", "Candidature 2024")
    page.click("button:has-text('Construire le dossier')")
    page.wait_for_url("**/label/dossiers/*")
    # The page reloads itself (static/js/app.js) until the build is over.
    download_link = page.locator("a:has-text('Télécharger le PDF')")
    download_link.wait_for(timeout=120_000)
    assert page.locator(".badge:has-text('prêt')").count() == 1
    page.screenshot(path=str(tmp_path / "dossier-ready.png"), full_page=True)
    shown_sha = page.locator("dd code.hash").first.inner_text().strip()
    with page.expect_download() as info:
        download_link.click()
    saved = tmp_path / "dossier.pdf"
    info.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF-1.7")
    assert hashlib.sha256(data).hexdigest() == shown_sha
    page.goto(live_server.url + "/label/dossiers")
    assert page.locator("td:has-text('Candidature 2024')").count() == 1
    page.screenshot(path=str(tmp_path / "dossiers.png"), full_page=True)
    assert page.errors.messages == []
