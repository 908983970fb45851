"""A process killed in the middle of an import leaves the database as it was before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from coworking.extensions import db
from coworking.members.models import Member
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
ROWS = 20_000


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


def _run_import(url: str, instance: Path, csv_file: Path, kill_after: float | None) -> int | None:
    env = dict(os.environ)
    env.update(
        COWORKING_DATABASE_URL=url,
        COWORKING_INSTANCE_PATH=str(instance),
        COWORKING_SECRET_KEY="durability-test",
        COWORKING_MAX_UPLOAD_BYTES=str(50 * 1024 * 1024),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "coworking", "import-members", str(csv_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if kill_after is None:
        process.communicate(timeout=300)
        return process.returncode
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    return None


def test_killed_member_import_is_all_or_nothing(tmp_path):
    instance = tmp_path / "instance"
    url = f"sqlite:///{instance / 'durability.sqlite3'}"
    app = make_app(url, instance)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    csv_file = tmp_path / "members.csv"
    _members_csv(csv_file)

    # Killed at several moments: reading, checking, writing; never half of the rows.
    for kill_after in (1.0, 2.5, 4.0):
        _run_import(url, instance, csv_file, kill_after)
        assert _count_members(url) in (0, ROWS), kill_after
        if _count_members(url) == ROWS:
            break
    else:
        # Never got as far as committing: a complete run still works after all those kills.
        assert _run_import(url, instance, csv_file, None) == 0
        assert _count_members(url) == ROWS
