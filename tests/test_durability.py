"""A process killed in the middle of an import leaves the database as it was before."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.exc import OperationalError

from coworking.members.imports import PAUSE_AFTER_WRITING_ENV
from coworking.members.models import Member

ROOT = Path(__file__).resolve().parent.parent
ROWS = 20_000
# Reading and checking 20,000 rows takes seconds; a loaded machine may take many more.
WRITE_PHASE_TIMEOUT = 240


def _members_csv(path: Path) -> None:
    lines = ["prénom;nom;e-mail;métier;date d'adhésion"]
    lines += [f"Prénom{n};Nom{n};membre{n}@example.org;Développeur;01/02/2024" for n in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _count_members(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(Member.__table__)).scalar_one()
    engine.dispose()
    return count


def _member_table_is_being_written(url: str) -> bool:
    """Tell whether another transaction holds the write lock on the members (without waiting)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(parsed.database, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            return "locked" in str(error)
        finally:
            connection.close()
        return False
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("LOCK TABLE member IN EXCLUSIVE MODE NOWAIT"))
    except OperationalError:
        return True
    finally:
        engine.dispose()
    return False


def _start_import(url: str, instance: Path, csv_file: Path, pause_file: Path | None):
    env = dict(os.environ)
    env.update(
        COWORKING_DATABASE_URL=url,
        COWORKING_INSTANCE_PATH=str(instance),
        COWORKING_SECRET_KEY="durability-test",
        COWORKING_MAX_UPLOAD_BYTES=str(50 * 1024 * 1024),
    )
    env.pop(PAUSE_AFTER_WRITING_ENV, None)
    if pause_file is not None:
        env[PAUSE_AFTER_WRITING_ENV] = str(pause_file)
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "coworking", "import-members", str(csv_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_write_phase(process: subprocess.Popen, pause_file: Path) -> None:
    deadline = time.monotonic() + WRITE_PHASE_TIMEOUT
    while not pause_file.exists():
        if process.poll() is not None:
            _out, err = process.communicate()
            pytest.fail(f"the import ended before writing: {err.decode(errors='replace')}")
        if time.monotonic() > deadline:
            process.kill()
            process.communicate()
            pytest.fail("the import never reached its write phase")
        time.sleep(0.05)


def test_import_killed_while_writing_leaves_the_database_unchanged(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    instance = Path(app.instance_path)
    csv_file = tmp_path / "members.csv"
    _members_csv(csv_file)
    pause_file = tmp_path / "rows-written"

    # The import stops right after writing its rows, before committing (the hook in
    # members.imports.import_members), and is killed there.
    process = _start_import(url, instance, csv_file, pause_file)
    _wait_for_write_phase(process, pause_file)
    try:
        assert _member_table_is_being_written(url)  # its write transaction is open
        assert _count_members(url) == 0  # and nobody else sees its rows
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert process.returncode == -9

    assert _count_members(url) == 0
    assert not _member_table_is_being_written(url)
    # The database is whole: the same import, left to finish, writes every row.
    complete = _start_import(url, instance, csv_file, None)
    _out, err = complete.communicate(timeout=300)
    assert complete.returncode == 0, err.decode(errors="replace")
    assert _count_members(url) == ROWS
