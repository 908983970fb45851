"""Whole-database archive: export-data / import-data, SQLite → archive → SQLite or PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import JSON, create_engine, func, select, text

from coworking import create_app
from coworking.auth.models import User
from coworking.backup import archive, restore
from coworking.backup import export as backup_export
from coworking.backup.restore import FILLED_BY_MIGRATIONS
from coworking.extensions import db
from coworking.label.models import Dossier
from coworking.members.models import Member
from tests import factories
from tests.conftest import BACKENDS, TEST_DATABASE_URL

BIG_DOCUMENT = bytes(range(256)) * 2048 + b"\x00tail"


# --- databases ----------------------------------------------------------------------------------


@contextmanager
def migrated_app(backend: str, tmp_path: Path, monkeypatch) -> Iterator[object]:
    """An application on a new, empty database migrated with `flask db upgrade`."""
    name = uuid.uuid4().hex[:8]
    instance = tmp_path / f"instance-{name}"
    monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(instance))
    schema = None
    options: dict[str, object] = {}
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    else:
        schema = f"archive_{name}"
        url = TEST_DATABASE_URL
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    try:
        with application.app_context():
            upgrade()
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        if schema:
            engine = create_engine(TEST_DATABASE_URL)
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()


@pytest.fixture
def source(tmp_path, monkeypatch):
    """A migrated SQLite database with rows in most tables."""
    with migrated_app("sqlite", tmp_path, monkeypatch) as application:
        with application.app_context():
            fill()
        yield application


@pytest.fixture(params=BACKENDS)
def target(request, tmp_path, monkeypatch):
    """A migrated, empty database: SQLite, and PostgreSQL when TEST_DATABASE_URL is set."""
    with migrated_app(request.param, tmp_path, monkeypatch) as application:
        yield application


def fill() -> None:
    admin = factories.make_user(role="admin")
    factories.make_user(role="viewer", last_login_at=admin.created_at)
    members = [factories.make_member(first_name="Élodie") for _ in range(5)]
    members.append(
        factories.make_member(email=None, first_name="", last_name="", erased_at=admin.created_at)
    )
    plan = factories.make_plan()
    for member in members[:3]:
        factories.make_membership(member, plan)
    kind = factories.make_event_kind()
    partner = factories.make_partner()
    factories.make_partner(kind="ecole", notes="Ligne 1\nLigne 2")
    events = [
        factories.make_event(
            kind=kind.slug,
            venue_partner_id=partner.id,
            hashtags="twapero angers",
            description="Ligne 1\nLigne 2 — « guillemets »",
        )
        for _ in range(3)
    ]
    events[0].partners.append(partner)
    for member in members[:4]:
        factories.make_attendance(events[0], member)
    factories.make_attendance(events[1])
    logo = factories.make_document(
        factories.sample_png(40, 30), kind="logo", content_type="image/png", filename="logo.png"
    )
    letter = factories.make_document(BIG_DOCUMENT, partner_id=partner.id)
    factories.make_space_profile(
        logo_document_id=logo.id, opening_hours={"0": "9h–19h", "6": ""}, staff_fte=1.5
    )
    criterion = factories.make_criterion(target=30.5, weight=1.25)
    criterion.documents.append(letter)
    factories.make_criterion(kind="declaration", statement="Oui", declared_met=True, target=None)
    dossier = factories.make_dossier(
        b"%PDF-1.7 dossier \x00\xfe",
        snapshot={"indicators": {"active_members": 42, "ratio": 0.125}, "notes": ["é", None]},
    )
    dossier.documents.append(letter)
    factories.make_dossier(pdf=None, status="queued", snapshot=None, warnings=None)
    factories.make_mention(event_id=events[0].id)
    outcome = factories.make_outcome(event_id=events[0].id, partner_id=partner.id)
    outcome.members.append(members[0])
    factories.make_check_in(members[0])
    factories.make_check_in()
    db.session.commit()
    # A JSON column holding SQL NULL (not a JSON null document): it must stay SQL NULL.
    db.session.execute(text("UPDATE dossier SET warnings = NULL WHERE status = 'ready'"))
    db.session.commit()


def snapshot_rows(application) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key; JSON columns also say if SQL NULL."""
    rows: dict[str, list[tuple]] = {}
    with application.app_context(), db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            extra = [
                column.is_(None).label(f"{column.name}__is_null")
                for column in table.columns
                if isinstance(column.type, JSON)
            ]
            statement = select(table, *extra).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(statement)]
    return rows


def table_counts(application) -> dict[str, int]:
    """Count the rows of each table, but the reference tables `db upgrade` fills (issue 14:
    built-in event kinds and default criteria), which a migrated database always holds."""
    with application.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
            if table.name not in FILLED_BY_MIGRATIONS
        }


def export(application, path: Path):
    result = application.test_cli_runner().invoke(args=["export-data", str(path)])
    assert result.exit_code == 0, result.output
    return result


def import_(application, path: Path):
    return application.test_cli_runner().invoke(args=["import-data", str(path)])


def rewrite(path: Path, destination: Path, change) -> None:
    """Copy an archive, letting `change(name, data)` return new bytes, or None to drop a part."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(destination, "w") as copy:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                copy.writestr(name, data)


def edit_manifest(path: Path, destination: Path, edit) -> None:
    def change(name, data):
        if name != archive.MANIFEST:
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest)

    rewrite(path, destination, change)


# --- round trips --------------------------------------------------------------------------------


def test_round_trip_gives_the_same_rows_and_bytes(source, target, tmp_path):
    path = tmp_path / "backup.zip"
    result = export(source, path)
    assert "Archive écrite" in result.output

    result = import_(target, path)
    assert result.exit_code == 0, result.output
    assert "Archive restaurée" in result.output

    before, after = snapshot_rows(source), snapshot_rows(target)
    assert set(before) == set(after)
    for name in before:
        assert after[name] == before[name], name
    assert sum(len(rows) for rows in after.values()) > 30

    with target.app_context():
        data = db.session.scalars(select(Dossier.pdf).order_by(Dossier.id)).all()
        assert data[0] == b"%PDF-1.7 dossier \x00\xfe" and data[1] is None
        hashes = db.session.execute(text("SELECT sha256, data FROM document")).all()
        assert any(blob == BIG_DOCUMENT for _sha, blob in hashes)
        assert all(hashlib.sha256(blob).hexdigest() == sha for sha, blob in hashes)
        # SQL NULL and JSON null documents kept apart.
        assert db.session.scalar(select(func.count()).where(Dossier.warnings.is_(None))) == 1
        # New rows get fresh ids (PostgreSQL sequences were moved past the restored ids).
        largest = db.session.scalar(select(func.max(Member.id)))
        member = factories.make_member()
        factories.make_user()
        db.session.commit()
        assert member.id == largest + 1


def test_archive_holds_a_manifest_and_one_part_per_table(source, tmp_path):
    path = tmp_path / "backup.zip"
    export(source, path)
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist())
        assert manifest["format"] == archive.FORMAT
        assert manifest["format_version"] == archive.FORMAT_VERSION
        assert manifest["app_version"]
        assert manifest["created_at"].endswith("+00:00")
        with source.app_context(), db.engine.connect() as connection:
            assert manifest["schema_revision"] == archive.schema_revision(connection)
            all_tables = {table.name for table in db.metadata.sorted_tables}
        assert {entry["name"] for entry in manifest["tables"]} == all_tables
        counts = table_counts(source)
        for entry in manifest["tables"]:
            assert entry["part"] in names
            part = zf.read(entry["part"])
            assert hashlib.sha256(part).hexdigest() == entry["sha256"]
            if entry["name"] in counts:
                assert part.count(b"\n") == entry["rows"] == counts[entry["name"]]
        documents = [json.loads(line) for line in zf.read("tables/document.jsonl").splitlines()]
        dossiers = [json.loads(line) for line in zf.read("tables/dossier.jsonl").splitlines()]
        members = [json.loads(line) for line in zf.read("tables/member.jsonl").splitlines()]
    assert base64.b64decode(documents[1]["data"]) == BIG_DOCUMENT
    assert dossiers[0]["snapshot"]["indicators"]["active_members"] == 42
    assert dossiers[0]["warnings"] is None  # SQL NULL
    assert dossiers[1]["warnings"] == {"$json": None}  # a JSON null document
    assert dossiers[0]["finished_at"] == "2024-12-31T23:59:59.123456+00:00"
    assert members[0]["first_name"].startswith("Élodie")
    assert len(members[0]["joined_on"]) == 10


def test_export_and_import_stream_in_chunks(source, target, tmp_path, monkeypatch):
    monkeypatch.setattr(backup_export, "READ_CHUNK_ROWS", 2)
    monkeypatch.setattr(restore, "INSERT_CHUNK_ROWS", 3)
    monkeypatch.setattr(restore, "INSERT_CHUNK_BYTES", 100_000)
    chunks: list[int] = []
    insert_chunk = restore.insert_chunk

    def counting(connection, statement, rows):
        chunks.append(len(rows))
        insert_chunk(connection, statement, rows)

    monkeypatch.setattr(restore, "insert_chunk", counting)
    path = tmp_path / "backup.zip"
    export(source, path)
    result = import_(target, path)
    assert result.exit_code == 0, result.output
    assert max(chunks) == 3
    assert snapshot_rows(target) == snapshot_rows(source)


def test_export_of_an_empty_database_restores(target, tmp_path, monkeypatch):
    with migrated_app("sqlite", tmp_path, monkeypatch) as empty:
        path = tmp_path / "empty.zip"
        export(empty, path)
    result = import_(target, path)
    assert result.exit_code == 0, result.output
    assert set(table_counts(target).values()) == {0}


# --- refusals -----------------------------------------------------------------------------------


def assert_refused(application, path: Path, message: str) -> None:
    result = import_(application, path)
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert "Rien n'a été écrit" in result.output


def test_tampered_part_is_refused(source, target, tmp_path):
    path, tampered = tmp_path / "backup.zip", tmp_path / "tampered.zip"
    export(source, path)
    rewrite(
        path,
        tampered,
        lambda name, data: (
            data.replace(b"lodie", b"LODIE", 1) if name == "tables/member.jsonl" else data
        ),
    )
    assert_refused(target, tampered, "SHA-256 différent")
    assert set(table_counts(target).values()) == {0}


def test_wrong_row_count_is_refused(source, target, tmp_path):
    path, edited = tmp_path / "backup.zip", tmp_path / "edited.zip"
    export(source, path)

    def edit(manifest):
        entry = next(e for e in manifest["tables"] if e["name"] == "attendance")
        entry["rows"] += 1

    edit_manifest(path, edited, edit)
    assert_refused(target, edited, "le manifeste en annonce 6")


def test_missing_part_is_refused(source, target, tmp_path):
    path, edited = tmp_path / "backup.zip", tmp_path / "edited.zip"
    export(source, path)
    rewrite(path, edited, lambda name, data: None if name == "tables/document.jsonl" else data)
    assert_refused(target, edited, "partie tables/document.jsonl manquante")


def test_wrong_schema_revision_is_refused(source, target, tmp_path):
    path, edited = tmp_path / "backup.zip", tmp_path / "edited.zip"
    export(source, path)
    edit_manifest(path, edited, lambda manifest: manifest.update(schema_revision="0123abcd"))
    assert_refused(target, edited, "révision de schéma 0123abcd dans l'archive")
    assert set(table_counts(target).values()) == {0}


def test_wrong_format_is_refused(source, target, tmp_path):
    path, edited = tmp_path / "backup.zip", tmp_path / "edited.zip"
    export(source, path)
    edit_manifest(path, edited, lambda manifest: manifest.update(format_version=99))
    assert_refused(target, edited, "version de format 99 non prise en charge")
    not_zip = tmp_path / "notes.txt"
    not_zip.write_text("bonjour")
    assert_refused(target, not_zip, "ce n'est pas une archive zip")
    assert_refused(target, tmp_path / "absent.zip", "fichier introuvable")
    no_manifest = tmp_path / "no-manifest.zip"
    rewrite(path, no_manifest, lambda name, data: None if name == archive.MANIFEST else data)
    assert_refused(target, no_manifest, "manifest.json manquant")


def test_non_empty_target_is_refused(source, target, tmp_path):
    path = tmp_path / "backup.zip"
    export(source, path)
    with target.app_context():
        factories.make_user(email="existing@example.org")
        db.session.commit()
    assert_refused(target, path, "La base cible n'est pas vide (table user_account)")
    with target.app_context():
        assert db.session.scalars(select(User.email)).all() == ["existing@example.org"]
    counts = table_counts(target)
    assert counts.pop("user_account") == 1
    assert set(counts.values()) == {0}


def test_unmigrated_target_is_refused(source, app, tmp_path):
    """The `app` fixture's database is made by create_all, without alembic_version."""
    path = tmp_path / "backup.zip"
    export(source, path)
    assert_refused(app, path, "n'est pas migrée")


def test_an_import_failing_midway_leaves_the_target_empty(source, target, tmp_path, monkeypatch):
    path = tmp_path / "backup.zip"
    export(source, path)
    calls = []
    insert_chunk = restore.insert_chunk

    def failing(connection, statement, rows):
        calls.append(statement.table.name)
        if len(calls) == 8:
            raise RuntimeError("process killed")
        insert_chunk(connection, statement, rows)

    monkeypatch.setattr(restore, "insert_chunk", failing)
    result = import_(target, path)
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert len(calls) == 8
    assert set(table_counts(target).values()) == {0}
    # And the same archive restores afterwards.
    monkeypatch.setattr(restore, "insert_chunk", insert_chunk)
    assert import_(target, path).exit_code == 0
    assert snapshot_rows(target) == snapshot_rows(source)


def test_a_failed_export_leaves_no_file(source, tmp_path, monkeypatch):
    path = tmp_path / "backup.zip"
    path.write_bytes(b"previous backup")
    write_table = backup_export._write_table

    def failing(connection, table, handle):
        if table.name == "member":
            raise RuntimeError("disk full")
        return write_table(connection, table, handle)

    monkeypatch.setattr(backup_export, "_write_table", failing)
    result = source.test_cli_runner().invoke(args=["export-data", str(path)])
    assert result.exit_code != 0
    assert path.read_bytes() == b"previous backup"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []


def test_export_into_a_missing_folder_is_refused(source, tmp_path):
    result = source.test_cli_runner().invoke(
        args=["export-data", str(tmp_path / "nope" / "backup.zip")]
    )
    assert result.exit_code != 0
    assert "n'existe pas" in result.output
