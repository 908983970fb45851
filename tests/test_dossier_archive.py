"""The archive of dossiers: pages, worker state machine, final dossiers, downloads, diff, CLI."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from coworking.database import utcnow
from coworking.documents.models import Document
from coworking.extensions import db
from coworking.label import dossier_build, services, worker
from coworking.label.models import STALE_AFTER, Dossier, dossier_document
from tests.factories import make_document, make_event, sample_pdf
from tests.scenarios_dossier import build_year

FORM = {"start": "2024-01-01", "end": "2024-12-31", "title": "Candidature 2024", "lang": "fr"}


def make_space(app, **kwargs):
    with app.app_context():
        build_year(**kwargs)
        letter = make_document(
            sample_pdf("Lettre de soutien"), kind="support_letter", title="Lettre de la ville"
        )
        db.session.commit()
        return letter.id


def only_dossier(app) -> Dossier:
    with app.app_context():
        dossier = db.session.scalar(
            select(Dossier)
            .options(undefer(Dossier.snapshot), undefer(Dossier.pdf))
            .order_by(Dossier.id.desc())
            .limit(1)
        )
        db.session.expunge_all()
        return dossier


def build_one(app, auth, **form) -> int:
    response = auth.post("/label/dossiers", {**FORM, **form}, token_from="/label/dossiers")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_admin_builds_a_dossier_and_downloads_the_exact_bytes(app, client, auth):
    make_space(app)
    auth.login_as("admin")
    page = client.get("/label/dossiers")
    assert page.status_code == 200
    assert "Construire le dossier" in page.get_data(as_text=True)
    dossier_id = build_one(app, auth)
    shown = client.get(f"/label/dossiers/{dossier_id}").get_data(as_text=True)
    dossier = only_dossier(app)
    assert dossier.status == "ready"
    assert dossier.created_by.startswith("admin-")
    assert dossier.page_count and dossier.page_count > 10
    assert dossier.timings["layout"] > 0
    assert dossier.snapshot["title"] == "Candidature 2024"
    assert dossier.sha256 in shown and dossier.content_sha256 in shown
    assert 'http-equiv="refresh"' not in shown  # nothing left to wait for
    download = client.get(f"/label/dossiers/{dossier_id}/download")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert hashlib.sha256(download.data).hexdigest() == dossier.sha256
    with app.app_context():
        stored = db.session.scalar(select(Dossier.pdf).where(Dossier.id == dossier_id))
    assert download.data == stored
    assert download.headers["X-Content-SHA256"] == dossier.sha256


def test_a_corrupt_annex_is_listed_on_the_dossier_page(app, client, auth):
    make_space(app)
    with app.app_context():
        make_document(b"%PDF-1.7 truncated", kind="statutes", title="Statuts abîmés")
        db.session.commit()
    auth.login_as("admin")
    dossier_id = build_one(app, auth)
    assert only_dossier(app).status == "ready"
    page = client.get(f"/label/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Avertissements" in page
    assert "Annexe « Statuts abîmés » ignorée : ce n&#39;est pas un PDF lisible." in page


def test_viewers_and_managers_read_but_do_not_build(app, client, auth):
    make_space(app)
    auth.login_as("admin")
    dossier_id = build_one(app, auth)
    auth.post("/logout", token_from="/label/dossiers")
    for role in ("viewer", "manager"):
        auth.login_as(role)
        page = client.get("/label/dossiers").get_data(as_text=True)
        assert "Candidature 2024" in page
        assert "Construire le dossier" not in page
        assert client.get(f"/label/dossiers/{dossier_id}").status_code == 200
        assert client.get(f"/label/dossiers/{dossier_id}/download").status_code == 200
        refused = auth.post("/label/dossiers", FORM, token_from="/label/dossiers")
        assert refused.status_code == 403
        final = auth.post(f"/label/dossiers/{dossier_id}/final", token_from="/label/dossiers")
        assert final.status_code == 403
        auth.post("/logout", token_from="/label/dossiers")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"start": "2024-06-01", "end": "2024-05-31"}, "La date de fin précède la date de début."),
        ({"start": "", "end": "2024-05-31"}, "Indiquez la date de début de la période."),
        ({"start": "2018-01-01", "end": "2024-05-31"}, "La période ne peut pas dépasser 5 ans."),
        ({"title": "x" * 201}, "200"),
    ],
)
def test_bad_input_is_answered_on_the_form(app, client, auth, form, message):
    auth.login_as("admin")
    response = auth.post("/label/dossiers", {**FORM, **form}, token_from="/label/dossiers")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Dossier.id)) is None


def test_state_machine_queued_building_ready(app, auth):
    make_space(app)
    with app.app_context():
        dossier = services.queue_dossier(
            date(2024, 1, 1), date(2024, 12, 31), title="T", lang="fr", created_by="a@b.c"
        )
        db.session.commit()
        dossier_id = dossier.id
        assert dossier.status == "queued"
    assert worker.claim_next(app) == dossier_id
    assert only_dossier(app).status == "building"
    assert only_dossier(app).started_at is not None
    assert worker.claim_next(app) is None  # claimed once only
    worker.build(app, dossier_id)
    dossier = only_dossier(app)
    assert dossier.status == "ready" and dossier.finished_at is not None
    assert dossier.error is None


def test_failed_build_records_its_error_and_keeps_no_file(app, auth, monkeypatch):
    make_space(app)

    def broken(*args, **kwargs):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(dossier_build, "build_dossier", broken)
    auth.login_as("admin")
    dossier_id = build_one(app, auth)
    dossier = only_dossier(app)
    assert dossier.status == "failed"
    assert "RuntimeError" in dossier.error
    assert dossier.pdf is None and dossier.sha256 is None and dossier.page_count is None
    page = auth._client.get(f"/label/dossiers/{dossier_id}").get_data(as_text=True)
    assert "La construction a échoué" in page and "Relancer la construction" in page
    download = auth._client.get(f"/label/dossiers/{dossier_id}/download")
    assert download.status_code == 302
    monkeypatch.undo()
    response = auth.post(f"/label/dossiers/{dossier_id}/retry", token_from="/label/dossiers")
    assert response.status_code == 303
    assert only_dossier(app).status == "ready"


def test_a_build_left_building_by_a_dead_process_becomes_retryable(app, client, auth):
    with app.app_context():
        dossier = Dossier(
            title="Interrompu",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
            status="building",
            started_at=utcnow() - STALE_AFTER - timedelta(minutes=1),
        )
        recent = Dossier(
            title="En cours",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
            status="building",
            started_at=utcnow(),
        )
        db.session.add_all([dossier, recent])
        db.session.commit()
        stale_id, recent_id = dossier.id, recent.id
    auth.login_as("viewer")
    page = client.get("/label/dossiers").get_data(as_text=True)
    assert '<meta name="refresh-every" content="3">' in page  # one is still building
    assert '<meta http-equiv="refresh" content="3">' in page  # also without JavaScript
    shown = client.get(f"/label/dossiers/{stale_id}").get_data(as_text=True)
    assert "échec" in shown and "relancez" in shown  # shown interrupted…
    with app.app_context():
        assert db.session.get(Dossier, stale_id).status == "building"  # …by a page that only reads
    assert worker.expire_stale(app) == 1  # the worker records it
    with app.app_context():
        assert db.session.get(Dossier, stale_id).status == "failed"
        assert "relancez" in db.session.get(Dossier, stale_id).error
        assert db.session.get(Dossier, recent_id).status == "building"


def test_pages_never_write(app, client, auth, count_queries):
    """GET pages of the archive read only: no INSERT, UPDATE or DELETE, no commit of changes."""
    with app.app_context():
        db.session.add(
            Dossier(
                title="Interrompu",
                period_start=date(2024, 1, 1),
                period_end=date(2024, 12, 31),
                status="building",
                started_at=utcnow() - STALE_AFTER - timedelta(minutes=1),
            )
        )
        db.session.commit()
        dossier_id = db.session.scalar(select(Dossier.id))
    auth.login_as("viewer")
    with count_queries() as counter:
        for path in ("/label/dossiers", f"/label/dossiers/{dossier_id}", "/label", "/"):
            assert client.get(path).status_code == 200, path
    writes = [
        sql
        for sql in counter.statements
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_queued_pages_refresh_themselves_and_the_csp_allows_it(app, client, auth):
    with app.app_context():
        dossier = Dossier(
            title="En attente",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
            status="building",
            started_at=utcnow(),
        )
        db.session.add(dossier)
        db.session.commit()
        dossier_id = dossier.id
    auth.login_as("viewer")
    response = client.get(f"/label/dossiers/{dossier_id}")
    body = response.get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in body
    assert "<script>" not in body and "style=" not in body
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_thread_worker_builds_off_the_request(app, client, auth):
    make_space(app)
    app.config["COWORKING_DOSSIER_WORKER"] = "thread"
    auth.login_as("admin")
    dossier_id = build_one(app, auth)
    assert only_dossier(app).status in ("queued", "building", "ready")
    deadline = time.monotonic() + 120
    while only_dossier(app).status in ("queued", "building") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert only_dossier(app).status == "ready"
    assert client.get(f"/label/dossiers/{dossier_id}/download").status_code == 200
    while worker._running and time.monotonic() < deadline:
        time.sleep(0.05)


def test_final_dossier_cannot_be_deleted_nor_its_documents_removed(app, client, auth):
    letter_id = make_space(app)
    auth.login_as("admin")
    dossier_id = build_one(app, auth)
    other_id = build_one(app, auth, title="Brouillon")
    response = auth.post(f"/label/dossiers/{dossier_id}/final", token_from="/label/dossiers")
    assert response.status_code == 303
    dossier = only_dossier(app)
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.status == "final" and dossier.finalized_by.startswith("admin-")
        assert services.locked_document_ids() == {letter_id}
        assert services.locked_document_ids([letter_id, 999]) == {letter_id}
    refused = auth.post(f"/label/dossiers/{dossier_id}/delete", token_from="/label/dossiers")
    assert refused.status_code == 303
    assert "ne peut pas être supprimé" in client.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(Dossier, dossier_id) is not None
        with pytest.raises(IntegrityError):
            db.session.execute(delete(Document).where(Document.id == letter_id))
            db.session.flush()
        db.session.rollback()
        again = db.session.get(Dossier, dossier_id)
        with pytest.raises(services.DossierError):
            services.finalize_dossier(again, "x")
    # A draft goes away, and its documents stay free.
    deleted = auth.post(f"/label/dossiers/{other_id}/delete", token_from="/label/dossiers")
    assert deleted.status_code == 303
    with app.app_context():
        assert db.session.get(Dossier, other_id) is None
        rows = db.session.execute(select(dossier_document)).all()
        assert [(row.dossier_id, row.document_id) for row in rows] == [(dossier_id, letter_id)]


def test_diff_shows_what_changed_between_two_dossiers(app, client, auth):
    make_space(app)
    auth.login_as("admin")
    first = build_one(app, auth, title="Brouillon de mars")
    with app.app_context():
        for day in range(3):
            make_event(day=date(2024, 5, 1 + day), title=f"Atelier {day}", kind="atelier")
        db.session.commit()
    second = build_one(app, auth, title="Brouillon de juin")
    page = client.get(f"/label/dossiers/diff?a={first}&b={second}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Brouillon de mars" in body and "Brouillon de juin" in body
    with app.app_context():
        old = db.session.get(Dossier, first).snapshot
        new = db.session.get(Dossier, second).snapshot
    changes = services.compare_snapshots(old, new)
    events = next(row for row in changes["indicators"] if row["key"] == "events_held")
    assert events["delta"] == 3 and events["changed"]
    assert re.search(r"<strong>15</strong>", body)
    assert client.get(f"/label/dossiers/diff?a={first}&b=999").status_code == 404
    assert client.get("/label/dossiers/diff?a=x").status_code == 400


def test_list_page_query_count_does_not_grow(app, client, auth, count_queries):
    auth.login_as("viewer")
    with app.app_context():
        db.session.add(
            Dossier(
                title="Un",
                period_start=date(2024, 1, 1),
                period_end=date(2024, 2, 1),
                status="failed",
            )
        )
        db.session.commit()
    client.get("/label/dossiers")
    with count_queries() as few:
        client.get("/label/dossiers")
    with app.app_context():
        for index in range(30):
            db.session.add(
                Dossier(
                    title=f"D{index}",
                    period_start=date(2024, 1, 1),
                    period_end=date(2024, 2, 1),
                    status="ready",
                    pdf=b"%PDF-" + bytes(1000),
                )
            )
        db.session.commit()
    with count_queries() as many:
        client.get("/label/dossiers")
    assert few.count == many.count


def test_cli_builds_a_file_and_prints_path_pages_and_time(app, runner, tmp_path):
    make_space(app)
    output = tmp_path / "dossier.pdf"
    result = runner.invoke(
        args=[
            "dossier",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "--output",
            str(output),
            "--title",
            "CLI",
            "--lang",
            "en",
            "--timings",
        ]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == str(output)
    assert re.fullmatch(r"\d+ pages", lines[1])
    assert re.fullmatch(r"\d+\.\d\d s", lines[2])
    assert output.read_bytes().startswith(b"%PDF-1.7")
    assert f"SHA-256 : {hashlib.sha256(output.read_bytes()).hexdigest()}" in result.output
    assert "layout" in result.output


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2024-12-31", "2024-01-01", "--to : La date de fin précède la date de début."),
        ("2024-13-01", "2024-12-31", "--from « 2024-13-01 » n'est pas une date"),
        ("2010-01-01", "2024-12-31", "ne peut pas dépasser 5 ans"),
    ],
)
def test_cli_refuses_bad_periods_and_writes_nothing(app, runner, tmp_path, start, end, message):
    folder = tmp_path / "out"
    folder.mkdir()
    output = folder / "dossier.pdf"
    result = runner.invoke(args=["dossier", "--from", start, "--to", end, "--output", str(output)])
    assert result.exit_code != 0
    assert message in result.output
    assert not output.exists()
    assert list(folder.iterdir()) == []
