"""Calendar import into events: Meetup, Mobilizon and Google files, idempotence, all or nothing.

The file is parsed before the import takes SQLite's write lock; hostile files are refused whole.
"""

from __future__ import annotations

import html
import io
import sqlite3
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from coworking.events import importers, services
from coworking.events import kinds as event_kinds
from coworking.events.models import Event
from coworking.extensions import db
from tests import hostile_ical
from tests.test_ical_import import GOOGLE, MEETUP, MOBILIZON, WEEKLY_FOREVER, calendar_with, ics


def _events() -> list[Event]:
    return list(db.session.scalars(db.select(Event).order_by(Event.starts_at, Event.id)))


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Event))


def test_meetup_file_with_tzid_and_vtimezone(app_ctx):
    report = importers.import_calendar(MEETUP)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    march, april = _events()
    assert march.starts_at == datetime(2025, 3, 27, 18, tzinfo=UTC)  # 19:00 CET
    assert april.starts_at == datetime(2025, 4, 3, 17, tzinfo=UTC)  # 19:00 CEST
    assert march.external_uid == "event_305123456@meetup.com"
    assert march.external_recurrence_id == ""
    assert march.location == "Le Bar du Coin (12 rue Saint-Laud, Angers, France)"
    assert march.kind == "autre" and march.is_public


def test_mobilizon_file_series_all_day_private_and_kinds(app_ctx):
    event_kinds.ensure_default_kinds()
    event_kinds.add_kind("Repair café")
    importers.import_calendar(MOBILIZON)
    events = _events()
    repair = [e for e in events if e.title == "Repair café"]
    assert len(repair) >= 8 and all(e.external_recurrence_id for e in repair)
    assert len({e.external_recurrence_id for e in repair}) == len(repair)
    assert repair[0].kind == "atelier"
    barcamp = next(e for e in events if e.title == "Barcamp d'automne")
    assert barcamp.all_day and barcamp.kind == "barcamp"
    assert services.local_span(barcamp)[0::2] == (
        datetime(2025, 10, 18).date(),
        datetime(2025, 10, 19).date(),
    )
    board = next(e for e in events if e.title == "Réunion du bureau")
    assert board.is_public is False


def test_google_file_floating_times(app_ctx):
    importers.import_calendar(GOOGLE)
    events = _events()
    talk = next(e for e in events if e.title == "IA frugale")
    assert talk.starts_at == datetime(2025, 4, 10, 16, 30, tzinfo=UTC)  # floating 18:30 Paris
    assert talk.kind == "conference"
    assert not any(e.title == "Afterwork annulé" for e in events)
    moved = [e for e in events if e.external_uid == "permanence0123456789@google.com"]
    assert len(moved) >= 3 and len({e.external_recurrence_id for e in moved}) == len(moved)


def test_reimport_updates_instead_of_duplicating(app_ctx):
    importers.import_calendar(MEETUP)
    db.session.commit()
    march = _events()[0]
    march.kind = "twapero"  # set by a manager; categories name no kind: kept
    db.session.commit()
    again = importers.import_calendar(MEETUP)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = MEETUP.replace("Twapéro de mars".encode(), "Twapéro de mars (complet)".encode())
    report = importers.import_calendar(changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert _count() == 2
    assert _events()[0].title == "Twapéro de mars (complet)" and _events()[0].kind == "twapero"
    importers.import_calendar(MOBILIZON)
    before = _count()
    assert importers.import_calendar(MOBILIZON).created == 0 and _count() == before


BROKEN = ics(
    """
BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:good@example.org
DTSTART:20300101T180000Z
SUMMARY:Bon
END:VEVENT
BEGIN:VEVENT
UID:bad@example.org
SUMMARY:Sans début
END:VEVENT
END:VCALENDAR
"""
)


@pytest.mark.parametrize(
    "data",
    [BROKEN, MEETUP[: len(MEETUP) // 2], b"%PDF-1.4 not a calendar", b"", "é".encode("utf-16")],
)
def test_refused_file_leaves_the_database_unchanged(app_ctx, data):
    importers.import_calendar(MEETUP)
    db.session.commit()
    with pytest.raises(importers.EventImportError) as error:
        importers.import_calendar(data)
    db.session.rollback()
    assert error.value.message.startswith("Fichier refusé")
    assert _count() == 2


def test_cli_import_events(app, runner, tmp_path):
    path = tmp_path / "meetup.ics"
    path.write_bytes(MEETUP)
    result = runner.invoke(args=["import-events", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 créés" in result.output
    result = runner.invoke(args=["import-events", str(path)])
    assert "0 créés, 0 mis à jour, 2 inchangés" in result.output
    broken = tmp_path / "broken.ics"
    broken.write_bytes(BROKEN)
    result = runner.invoke(args=["import-events", str(broken)])
    assert result.exit_code != 0 and "broken.ics" in result.output and "DTSTART" in result.output
    result = runner.invoke(args=["import-events", str(tmp_path / "missing.ics")])
    assert result.exit_code != 0 and "lecture impossible" in result.output
    with app.app_context():
        assert _count() == 2


def test_upload_page(app, client, auth):
    auth.login_as("manager")
    assert client.get("/events/import").status_code == 200

    def upload(data: bytes, name: str = "agenda.ics"):
        return auth.post(
            "/events/import",
            {"file": (io.BytesIO(data), name)},
            token_from="/events/import",
            content_type="multipart/form-data",
        )

    response = upload(MEETUP)
    assert response.status_code == 200 and "Import terminé : 2 créés" in response.get_data(
        as_text=True
    )
    response = upload(b"Nom;Prenom\nDupont;Jean\n", "membres.csv")
    assert response.status_code == 400
    assert "pas un fichier iCalendar" in response.get_data(as_text=True)
    response = auth.post("/events/import", {}, token_from="/events/import")
    assert response.status_code == 400
    with app.app_context():
        assert _count() == 2


# --- hostile files and the write lock ---------------------------------------------------------


def test_hostile_file_is_refused_naming_the_event_and_nothing_is_written(app_ctx):
    importers.import_calendar(MEETUP)
    db.session.commit()

    with pytest.raises(importers.EventImportError) as error:
        importers.import_calendar(hostile_ical.cancelled_daily_since_1900())
    db.session.rollback()

    assert error.value.message.startswith(
        "Fichier refusé : VEVENT n°1 « Permanence » (UID bomb@example.org) : "
        "la série répète plus de 1000 occurrences dans la fenêtre d'import"
    )
    assert _count() == 2


def test_upload_of_a_hostile_file_is_refused_on_the_page(app, client, auth):
    auth.login_as("manager")

    response = auth.post(
        "/events/import",
        {"file": (io.BytesIO(hostile_ical.cancelled_daily_since_1900()), "bombe.ics")},
        token_from="/events/import",
        content_type="multipart/form-data",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "« Permanence » (UID bomb@example.org)" in page
    assert "plus de 1000 occurrences" in page
    with app.app_context():
        assert _count() == 0


def _other_writer_can_write(app) -> bool:
    """Tell whether another connection may take SQLite's write lock right now."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    connection = sqlite3.connect(path, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


@pytest.fixture
def lock_seen_while_parsing(app, monkeypatch) -> list[tuple[bool, bool]]:
    """Record, from inside the parser, whether a transaction is open and another can write."""
    seen: list[tuple[bool, bool]] = []
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    real_parse = importers.parse_calendar

    def parse_and_look(data, **kwargs):
        free = _other_writer_can_write(app) if sqlite else True  # PostgreSQL: no file lock
        seen.append((db.session().in_transaction(), free))
        return real_parse(data, **kwargs)

    monkeypatch.setattr(importers, "parse_calendar", parse_and_look)
    return seen


def test_upload_parses_the_file_without_holding_the_write_lock(
    app, client, auth, lock_seen_while_parsing
):
    auth.login_as("manager")

    response = auth.post(
        "/events/import",
        {"file": (io.BytesIO(MEETUP), "agenda.ics")},
        token_from="/events/import",
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    assert lock_seen_while_parsing == [(False, True)]  # no transaction open, others may write
    with app.app_context():
        assert _count() == 2  # and the writes after the parse took the lock and committed


def test_cli_parses_the_file_without_holding_the_write_lock(
    app, runner, tmp_path, lock_seen_while_parsing
):
    path = tmp_path / "meetup.ics"
    path.write_bytes(MEETUP)

    result = runner.invoke(args=["import-events", str(path)])

    assert result.exit_code == 0, result.output
    assert lock_seen_while_parsing == [(False, True)]


def test_cli_import_window(app, runner, tmp_path):
    path = tmp_path / "hebdo.ics"
    path.write_bytes(calendar_with(WEEKLY_FOREVER))

    result = runner.invoke(
        args=["import-events", str(path), "--from", "2025-03-20", "--to", "2025-04-03"]
    )

    assert result.exit_code == 0, result.output
    assert "3 créés" in result.output
    result = runner.invoke(
        args=["import-events", str(path), "--from", "2025-04-03", "--to", "2025-03-20"]
    )
    assert result.exit_code != 0 and "--to" in result.output
    result = runner.invoke(args=["import-events", str(path), "--from", "1850-01-01"])
    assert result.exit_code != 0 and "--from" in result.output
    with app.app_context():
        assert _count() == 3


# --- the refusal in the user's language -------------------------------------------------------


def test_refusal_is_shown_in_english_to_an_english_user(app, client, auth):
    auth.login_as("manager")
    auth.post("/language", {"lang": "en", "next": "/"})

    response = auth.post(
        "/events/import",
        {"file": (io.BytesIO(BROKEN), "agenda.ics")},
        token_from="/events/import",
        content_type="multipart/form-data",
    )

    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert (
        "File refused: VEVENT no. 2 “Sans début” (UID bad@example.org): "
        "the start date (DTSTART) is missing." in body
    )
    assert "Fichier refusé" not in body and "manquante" not in body
    with app.app_context():
        assert _count() == 0


def test_refusal_is_rendered_in_the_language_it_is_read_in(app):
    """An error raised in French (no request) reads in English where English is shown."""
    with pytest.raises(importers.EventImportError) as caught:
        importers.read_calendar(hostile_ical.cancelled_daily_since_1900())
    error = caught.value
    assert error.message.startswith("Fichier refusé : VEVENT n°1 « Permanence »")

    with app.test_request_context("/"), force_locale("en"):
        assert error.message.startswith(
            "File refused: VEVENT no. 1 “Permanence” (UID bomb@example.org): "
            "the series repeats more than 1000 occurrences within the import window (from "
        )
        assert "occurrences included (limit)." in str(error)
    assert "la fenêtre d'import" in error.message
