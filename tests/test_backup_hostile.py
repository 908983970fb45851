"""Hostile archives: signed manifests, accounts listed before writing, bounded reading."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from coworking.auth.models import User
from coworking.auth.passwords import verify_password
from coworking.backup import archive, bounded_reading
from coworking.backup.archive_check import verify_archive
from coworking.backup.signature import sign_manifest
from coworking.extensions import db
from tests import hostile_backups as hostile
from tests.conftest import BACKENDS
from tests.test_backup import fill, migrated_app, snapshot_rows, table_counts

KEY = "une-clé-de-sauvegarde-assez-longue-0123456789"
WITH_KEY = {"COWORKING_BACKUP_KEY": KEY}
NO_KEY = {"COWORKING_BACKUP_KEY": None}
MIB = 1024 * 1024
UNSIGNED = "Ses SHA-256 détectent une archive abîmée, pas une archive modifiée"


@pytest.fixture
def source(tmp_path, monkeypatch):
    """A migrated SQLite database with rows in most tables (two accounts)."""
    with migrated_app("sqlite", tmp_path, monkeypatch) as application:
        with application.app_context():
            fill()
        yield application


@pytest.fixture(params=BACKENDS)
def target(request, tmp_path, monkeypatch):
    """A migrated, empty database: SQLite, and PostgreSQL when TEST_DATABASE_URL is set."""
    with migrated_app(request.param, tmp_path, monkeypatch) as application:
        yield application


def run(application, *args: str, env: dict[str, str | None] | None = None):
    return application.test_cli_runner().invoke(args=list(args), env=env or NO_KEY)


def export(application, path: Path, *args: str, env=None):
    result = run(application, "export-data", str(path), *args, env=env)
    assert result.exit_code == 0, result.output
    return result


def assert_refused(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert message in result.output, result.output
    assert "Rien n'a été écrit" in result.output


def assert_empty(application) -> None:
    assert set(table_counts(application).values()) == {0}


# --- the probe's attack: an admin added, checksums recomputed ------------------------------------


def test_an_admin_added_to_a_signed_archive_is_refused(source, target, tmp_path):
    """Reproduces the probe: the edited archive was restored, backdoor admin included."""
    path, tampered = tmp_path / "backup.zip", tmp_path / "tampered.zip"
    export(source, path, env=WITH_KEY)
    hostile.add_admin(path, tampered)

    result = run(target, "import-data", str(tampered), env=WITH_KEY)
    assert_refused(result, "signature invalide : l'archive a été modifiée")
    assert_empty(target)


def test_dropping_the_signature_is_refused_when_a_key_is_given(source, target, tmp_path):
    path, tampered = tmp_path / "backup.zip", tmp_path / "tampered.zip"
    export(source, path, env=WITH_KEY)
    hostile.add_admin(path, tampered, keep_signature=False)

    result = run(target, "import-data", str(tampered), env=WITH_KEY)
    assert_refused(result, "l'archive n'est pas signée alors qu'une clé est donnée")
    assert_empty(target)

    # On purpose, the operator can still restore it, told what it lets in.
    result = run(target, "import-data", str(tampered), "--allow-unsigned", env=WITH_KEY)
    assert result.exit_code == 0, result.output
    assert UNSIGNED in result.output
    assert f"{hostile.BACKDOOR_EMAIL} (admin)" in result.output


def test_an_unsigned_import_says_what_checksums_catch_and_lists_accounts(source, target, tmp_path):
    """Reproduces the probe without a key: the backdoor is restored, but now it is shown."""
    path, tampered = tmp_path / "backup.zip", tmp_path / "tampered.zip"
    result = export(source, path)
    assert UNSIGNED in result.output
    with zipfile.ZipFile(path) as zf:
        assert archive.SIGNATURE not in zf.namelist()
    hostile.add_admin(path, tampered)

    result = run(target, "import-data", str(tampered))
    assert result.exit_code == 0, result.output
    assert UNSIGNED in result.output
    with source.app_context():
        accounts = db.session.execute(select(User.email, User.role).order_by(User.id)).all()
    expected = [f"{email} ({role})" for email, role in accounts]
    expected.append(f"{hostile.BACKDOOR_EMAIL} (admin)")
    listed = f"Comptes restaurés (3) : {', '.join(expected)}."
    assert listed in result.output
    # Listed before writing: before the line that says the archive is restored.
    assert result.output.index(listed) < result.output.index("Archive restaurée")
    with target.app_context():
        backdoor = db.session.scalar(select(User).where(User.email == hostile.BACKDOOR_EMAIL))
        assert backdoor.role == "admin"
        assert verify_password(backdoor.password_hash, hostile.BACKDOOR_PASSWORD)


# --- signing ------------------------------------------------------------------------------------


def test_a_signed_archive_round_trips(source, target, tmp_path):
    path, key_file = tmp_path / "backup.zip", tmp_path / "backup.key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o644)
    result = export(source, path, "--key-file", str(key_file))
    assert "Archive signée (HMAC-SHA256 du manifeste)" in result.output
    assert "backup.key est lisible par d'autres que vous" in result.output
    assert UNSIGNED not in result.output
    with zipfile.ZipFile(path) as zf:
        signature = zf.read(archive.SIGNATURE)
        assert signature == sign_manifest(zf.read(archive.MANIFEST), KEY.encode())
    assert signature.startswith(b"hmac-sha256:") and len(signature.strip()) == 12 + 64

    # The key from the environment is the same key.
    result = run(target, "import-data", str(path), env=WITH_KEY)
    assert result.exit_code == 0, result.output
    assert "Signature HMAC-SHA256 vérifiée" in result.output
    assert UNSIGNED not in result.output
    assert "Comptes restaurés (2) :" in result.output
    assert snapshot_rows(target) == snapshot_rows(source)


def test_a_signed_archive_needs_its_key(source, target, tmp_path):
    path, edited = tmp_path / "backup.zip", tmp_path / "edited.zip"
    export(source, path, env=WITH_KEY)

    result = run(target, "import-data", str(path))
    assert_refused(result, "l'archive est signée ; donnez sa clé")
    result = run(target, "import-data", str(path), "--allow-unsigned")
    assert_refused(result, "l'archive est signée ; donnez sa clé")
    result = run(target, "import-data", str(path), env={"COWORKING_BACKUP_KEY": KEY + "x"})
    assert_refused(result, "ou la clé n'est pas celle de l'export")

    # Any change to the manifest breaks the signature, checked before the manifest is read.
    with zipfile.ZipFile(path) as zf, zipfile.ZipFile(edited, "w") as copy:
        for name in zf.namelist():
            data = zf.read(name)
            if name == archive.MANIFEST:
                data = data.replace(b'"schema_revision": "', b'"schema_revision": "0', 1)
            copy.writestr(name, data)
    result = run(target, "import-data", str(edited), env=WITH_KEY)
    assert_refused(result, "signature invalide")
    assert_empty(target)


def test_weak_or_unreadable_keys_are_refused(source, tmp_path):
    path = tmp_path / "backup.zip"
    result = run(source, "export-data", str(path), env={"COWORKING_BACKUP_KEY": "court"})
    assert result.exit_code == 1
    assert "COWORKING_BACKUP_KEY : clé trop courte (5 octets" in result.output
    result = run(source, "export-data", str(path), "--key-file", str(tmp_path / "absent.key"))
    assert result.exit_code == 1
    assert "absent.key : lecture impossible" in result.output
    assert not path.exists()


# --- one line's length, zip bombs, malformed parts ---------------------------------------------


def test_an_overlong_line_is_refused_naming_part_and_line(source, target, tmp_path):
    """Reproduces the probe's long line (3 MiB here against a 1 MiB limit)."""
    path, hostile_path = tmp_path / "backup.zip", tmp_path / "long.zip"
    export(source, path)
    hostile.long_line(path, hostile_path, line_bytes=3 * MIB)

    result = run(target, "import-data", str(hostile_path), "--max-line-mb", "1")
    assert_refused(result, "partie tables/document.jsonl, ligne 1 : ligne plus longue que la")
    assert "limite de 1 Mo" in result.output
    assert "Traceback" not in result.output
    assert_empty(target)


def test_refusing_an_overlong_line_takes_memory_of_the_limit_only(
    source, target, tmp_path, monkeypatch
):
    """The probe's 600 MB line reached 1.4 GB; here a 48 MiB line against a 1 MiB limit."""
    monkeypatch.setattr(archive, "MAX_LINE_FLOOR", MIB, raising=False)
    target.config["COWORKING_MAX_UPLOAD_BYTES"] = 1000
    path, hostile_path = tmp_path / "backup.zip", tmp_path / "long.zip"
    export(source, path)
    hostile.long_line(path, hostile_path, line_bytes=48 * MIB)

    tracemalloc.start()
    try:
        result = run(target, "import-data", str(hostile_path))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_refused(result, "partie tables/document.jsonl, ligne 1")
    assert peak < 8 * MIB


def test_reading_rows_holds_one_line_at_most(tmp_path):
    """The row reader (after the check) is bounded too, and names the line."""
    part = bounded_reading.Part(None, "tables/t.jsonl", 3, "", tmp_path / "a.zip", max_line=100)  # type: ignore[arg-type]
    stream = io.BytesIO(b'{"a":1}\n' + b"x" * 100 + b"\n" + b'{"b":2}\n')
    lines = bounded_reading.read_lines(stream, part)
    assert next(lines) == (1, b'{"a":1}\n')
    with pytest.raises(archive.ArchiveError, match="partie tables/t.jsonl, ligne 2 : ligne plus"):
        next(lines)

    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"y" * len(buffer)
            return len(buffer)

    part.max_line = 4 * MIB
    tracemalloc.start()
    try:
        with pytest.raises(archive.ArchiveError, match="ligne 1 : ligne plus longue"):
            list(bounded_reading.read_lines(io.BufferedReader(Endless()), part))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MIB

    unfinished = io.BytesIO(b'{"a":1}\n{"b"')
    with pytest.raises(archive.ArchiveError, match="ligne 2 : la dernière ligne n'est pas"):
        list(bounded_reading.read_lines(unfinished, part))


def test_a_long_legitimate_line_needs_a_higher_limit(source, target, tmp_path, monkeypatch):
    """Export says when a line exceeds import's default limit, and how to restore it."""
    monkeypatch.setattr(archive, "MAX_LINE_FLOOR", 256 * 1024)
    for application in (source, target):
        application.config["COWORKING_MAX_UPLOAD_BYTES"] = 1000
    path = tmp_path / "backup.zip"
    result = export(source, path)
    assert "la table document a une ligne de" in result.output
    assert "« import-data --max-line-mb 1 »" in result.output

    result = run(target, "import-data", str(path))
    assert_refused(result, "partie tables/document.jsonl, ligne 2 : ligne plus longue")
    result = run(target, "import-data", str(path), "--max-line-mb", "1")
    assert result.exit_code == 0, result.output
    assert snapshot_rows(target) == snapshot_rows(source)


def test_zip_bombs_and_zip_tricks_are_refused(source, target, tmp_path):
    path = tmp_path / "backup.zip"
    export(source, path)

    padded = tmp_path / "padded.zip"
    hostile.padded_manifest(path, padded, size=archive.MAX_MANIFEST_BYTES + 1)
    assert_refused(run(target, "import-data", str(padded)), "manifest.json trop gros")

    bzip2 = tmp_path / "bzip2.zip"
    hostile.recompressed(path, bzip2)
    assert_refused(run(target, "import-data", str(bzip2)), "méthode de compression 12")

    overlapping = tmp_path / "overlapping.zip"
    hostile.overlapping_entries(path, overlapping)
    assert_refused(run(target, "import-data", str(overlapping)), "se chevauchent")
    assert_empty(target)


def member_lines(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return zf.read("tables/member.jsonl").splitlines(keepends=True)


def test_malformed_rows_are_refused_naming_part_and_line(source, target, tmp_path):
    path, edited = tmp_path / "backup.zip", tmp_path / "edited.zip"
    export(source, path)
    lines = member_lines(path)

    hostile.replace_part(path, edited, "member", lines[0] + b"pas du JSON\n")
    result = run(target, "import-data", str(edited))
    assert_refused(result, "partie tables/member.jsonl, ligne 2 : ce n'est pas un objet JSON")

    row = json.loads(lines[1])
    row["joined_on"] = "hier"
    hostile.replace_part(path, edited, "member", lines[0] + json.dumps(row).encode() + b"\n")
    result = run(target, "import-data", str(edited))
    assert_refused(result, "partie tables/member.jsonl, ligne 2 : valeur illisible")

    hostile.replace_part(path, edited, "member", lines[0] + lines[0])
    result = run(target, "import-data", str(edited))
    assert_refused(result, "la base refuse une ligne de l'archive")
    assert_empty(target)


def test_refusals_read_in_english_where_english_is_shown(app, tmp_path):
    """The command line says them in French; the same errors render in English when read so."""
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("bonjour")
    with pytest.raises(archive.ArchiveError) as refused:
        verify_archive(not_zip, db.metadata)
    part = bounded_reading.Part(None, "tables/t.jsonl", 3, "", tmp_path / "a.zip", max_line=100)  # type: ignore[arg-type]
    with pytest.raises(archive.ArchiveError) as too_long:
        list(bounded_reading.read_lines(io.BytesIO(b"x" * 200 + b"\n"), part))

    assert str(refused.value) == f"{not_zip} : ce n'est pas une archive zip."
    assert str(too_long.value).startswith(
        f"{tmp_path / 'a.zip'} : partie tables/t.jsonl, ligne 1 : ligne plus longue que la "
        "limite de 100 octets."
    )
    with app.test_request_context("/"), force_locale("en"):
        assert refused.value.message == f"{not_zip}: this is not a zip archive."
        assert str(too_long.value).startswith(
            f"{tmp_path / 'a.zip'}: part tables/t.jsonl, line 1: a line longer than the limit "
            "of 100 bytes. If the archive does come from your export"
        )
