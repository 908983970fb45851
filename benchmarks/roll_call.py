"""Benchmark of the roll call in place: marking someone present on the evening's biggest list.

A mark is sent by static/js/inplace.js with ``X-Inplace: 1``; the server answers with the
person's row and the counters (coworking/events/roll_call_views.py). This measures that
request in process, logged in as an admin, on the event with the most people on its list:
median and worst time, queries, answer size. Target: a median under 150 ms at full scale.

benchmarks/run.py calls `measure(client, app, repeat)` with its logged-in test client; alone:
`.venv/bin/python benchmarks/roll_call.py benchmarks/data/bench-5700-10.sqlite3`.
It leaves the list as it found it (each person marked is put back).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROLL_CALL_TARGET_MS = 150.0
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def biggest_roll_call(app: Any) -> tuple[int, list[int]]:
    """Return the event with the most people on its list and the ids of its rows."""
    from sqlalchemy import func, select

    from coworking.events.models import Attendance
    from coworking.extensions import db

    with app.app_context():
        event_id = db.session.scalar(
            select(Attendance.event_id)
            .where(Attendance.status != "cancelled")
            .group_by(Attendance.event_id)
            .order_by(func.count().desc(), Attendance.event_id)
            .limit(1)
        )
        if event_id is None:
            raise SystemExit("roll call benchmark: no event has anyone on its list")
        rows = db.session.scalars(
            select(Attendance.id)
            .where(Attendance.event_id == event_id, Attendance.status != "cancelled")
            .order_by(Attendance.id)
        ).all()
    return event_id, list(rows)


def _status_of(app: Any, attendance_id: int) -> str:
    from coworking.events.models import Attendance
    from coworking.extensions import db

    with app.app_context():
        return db.session.get(Attendance, attendance_id).status


def measure(client: Any, app: Any, repeat: int = 15) -> dict[str, float]:
    """Time `repeat` marks in place (and as many put back) on the biggest roll call."""
    from sqlalchemy import event as sa_event

    from coworking.extensions import db

    event_id, rows = biggest_roll_call(app)
    page = client.get(f"/events/{event_id}")
    if page.status_code != 200:
        raise SystemExit(f"roll call benchmark: the event page answered {page.status_code}")
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    def mark(attendance_id: int, status: str) -> tuple[float, int, int]:
        statements.clear()
        sa_event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.post(
            f"/events/{event_id}/attendance/{attendance_id}",
            data={"status": status, "csrf_token": token},
            headers={"X-Inplace": "1"},
        )
        elapsed = (time.perf_counter() - started) * 1000
        sa_event.remove(engine, "before_cursor_execute", count)
        if response.status_code != 200 or not response.is_json:
            raise SystemExit(f"roll call benchmark: HTTP {response.status_code}")
        queries = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]
        return elapsed, len(queries), len(response.get_data())

    # People in the middle of the list, as the 31st of 52 at the door.
    middle = rows[len(rows) // 3 :] or rows
    timings: list[float] = []
    queries = size = 0
    for index in range(repeat + 2):
        attendance_id = middle[index % len(middle)]
        before = _status_of(app, attendance_id)
        toggled = "registered" if before == "attended" else "attended"
        elapsed, queries, size = mark(attendance_id, toggled)
        mark(attendance_id, before)  # put back as it was (not timed)
        if index >= 2:  # the first two warm the templates and caches
            timings.append(elapsed)
    return {
        "median_ms": statistics.median(timings),
        "max_ms": max(timings),
        "queries": queries,
        "bytes": size,
        "people": len(rows),
        "event_id": event_id,
    }


def target_check(result: dict[str, float]) -> tuple[str, str, bool]:
    """Return the target line for benchmarks/run.py: (what, measured against target, met)."""
    median = result["median_ms"]
    return (
        "roll call, a mark in place",
        f"{median:.1f} ms ≤ {ROLL_CALL_TARGET_MS:.0f} ms (list of {result['people']:.0f}, "
        f"{result['queries']:.0f} queries)",
        median <= ROLL_CALL_TARGET_MS,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="a seeded SQLite database (make bench's)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    os.environ["COWORKING_DATABASE_URL"] = f"sqlite:///{args.database.resolve()}"
    os.environ.setdefault("COWORKING_INSTANCE_PATH", str(root / "benchmarks" / "data" / "instance"))
    os.environ.setdefault("COWORKING_SECRET_KEY", "benchmark-secret-key")
    from benchmarks.run import in_process_app, login  # the same app and account as make bench

    app = in_process_app(args.database.resolve())
    client = app.test_client()
    login(client)
    result = measure(client, app, args.repeat)
    what, measured, met = target_check(result)
    print(
        f"{'✅' if met else '❌'} {what}: {measured}; worst {result['max_ms']:.1f} ms, "
        f"{result['bytes']:.0f} bytes"
    )


if __name__ == "__main__":
    main()
