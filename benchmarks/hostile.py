"""Hostile inputs against a real server: its peak memory, and how long kiosks wait meanwhile.

gunicorn serves a fresh SQLite database as `make serve` does (two sync workers). Four kiosks post
check-ins all along, as on the night of a twapéro. Each hostile input of the security probe is
then sent in turn — refused, or imported when it is merely big. For each, the report gives the
answer, how long it took, the server's peak memory while it was handled (Linux resets the
high-water mark on request: /proc/PID/clear_refs) and the kiosks' waits during that time.

Targets: the server's peak memory under 500 MB for every input, under 300 MB for the largest
social-media archive allowed; no kiosk waits a second or more; no check-in is lost.

Run alone with ``python benchmarks/hostile.py`` or as part of ``make bench``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile_archives import deeply_nested_json, largest_archive_file  # noqa: E402
from tests.hostile_backups import long_line  # noqa: E402
from tests.hostile_csv import members_invalid_rows, members_valid_rows  # noqa: E402
from tests.hostile_files import (  # noqa: E402
    pdf_inflation_bomb,
    pdf_shared_page_bomb,
    pdf_xref_stream_bomb,
    png_pixel_bomb,
)
from tests.hostile_ical import (  # noqa: E402
    cancelled_daily_since_1900,
    cancelled_weekly_series,
    never_matching_rules,
)
from tests.test_hostile_live import multipart  # noqa: E402

PYTHON = sys.executable
EMAIL = "bench-hostile@example.org"
PASSWORD = "bench-hostile-password"  # noqa: S105
KIOSKS = 4
MEMORY_LIMIT_MB = 500
ARCHIVE_MEMORY_LIMIT_MB = 300
KIOSK_WAIT_LIMIT_S = 1.0
MB = 1024 * 1024


@dataclass
class Outcome:
    """What one hostile input did."""

    name: str
    answer: str
    seconds: float
    peak_mb: float
    limit_mb: int = MEMORY_LIMIT_MB
    waits: list[float] = field(default_factory=list)

    @property
    def kiosk_max(self) -> float:
        return max(self.waits, default=0.0)

    @property
    def kiosk_median(self) -> float:
        return statistics.median(self.waits) if self.waits else 0.0

    @property
    def met(self) -> bool:
        return self.peak_mb < self.limit_mb and self.kiosk_max < KIOSK_WAIT_LIMIT_S


class Server:
    """A gunicorn process on a fresh database, with an admin account and a kiosk token."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.database = workdir / "hostile.sqlite3"
        self.env = {
            **os.environ,
            "COWORKING_DATABASE_URL": f"sqlite:///{self.database}",
            "COWORKING_INSTANCE_PATH": str(workdir / "instance"),
            "COWORKING_SECRET_KEY": "benchmark-hostile-secret",
            "COWORKING_DOSSIER_WORKER": "thread",
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def flask(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PYTHON, "-m", "flask", "--app", "coworking", *args],
            env=self.env,
            cwd=ROOT,
            input=stdin,
            text=True,
            capture_output=True,
            check=False,
        )

    def prepare(self) -> str:
        self.flask("db", "upgrade").check_returncode()
        self.flask(
            "create-user", EMAIL, "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
        ).check_returncode()
        created = self.flask("create-token", "--name", "borne", "--role", "manager")
        created.check_returncode()
        return created.stdout.strip().splitlines()[-1]

    def start(self) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        gunicorn = Path(PYTHON).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "--workers",
                "2",
                "--timeout",
                "300",
                "--bind",
                f"127.0.0.1:{self.port}",
                "coworking.wsgi:app",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def reset_peak(self) -> None:
        for pid in self.worker_pids():
            Path(f"/proc/{pid}/clear_refs").write_text("5")

    def peak_mb(self) -> float:
        """Return the largest worker's peak memory since the last reset."""
        peaks = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return max(peaks, default=float("nan"))

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)


class Browser:
    """The admin, with cookies and CSRF tokens."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def token(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=300) as response:
            page = response.read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def send(self, path: str, body: bytes, content_type: str) -> int:
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type}, method="POST"
        )
        try:
            with self.opener.open(request, timeout=600) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            error.read()
            return error.code

    def upload(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> int:
        body, content_type = multipart(dict(fields, csrf_token=self.token(path)), files)
        return self.send(path, body, content_type)

    def post(self, path: str, data: dict[str, str], token_from: str) -> int:
        payload = urlencode(dict(data, csrf_token=self.token(token_from))).encode()
        return self.send(path, payload, "application/x-www-form-urlencoded")


class Kiosks:
    """Kiosks posting check-ins until stopped; each answer's time and wait are kept."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.answers: list[tuple[float, float, int, int | None]] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(KIOSKS)]

    def run(self, kiosk: int) -> None:
        sent = 0
        while not self.stop.is_set():
            sent += 1
            body = json.dumps({"visitor_name": f"Borne {kiosk} visiteur {sent}"}).encode()
            request = urllib.request.Request(
                self.base + "/api/v1/checkins",
                data=body,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
                method="POST",
            )
            start = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    status, check_in = response.status, json.loads(response.read())["id"]
            except urllib.error.HTTPError as error:
                status, check_in = error.code, None
            except OSError:
                status, check_in = 0, None
            end = time.monotonic()
            self.answers.append((end, end - start, status, check_in))
            time.sleep(0.05)

    def waits_between(self, start: float, end: float) -> list[float]:
        return [wait for at, wait, _status, _id in self.answers if start <= at <= end + wait]

    def __enter__(self) -> Kiosks:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)


def _insert_annex_bomb(database: Path) -> None:
    """Store a 2,000-page annex as an older database would hold it (the upload refuses it)."""
    connection = sqlite3.connect(database)
    with connection:
        connection.execute(
            "INSERT INTO document (title, kind, filename, content_type, size, sha256, data, "
            "uploaded_at) VALUES (?, 'statutes', 'statuts.pdf', 'application/pdf', ?, ?, ?, "
            "datetime('now'))",
            ("Statuts piégés", 0, "0" * 64, pdf_shared_page_bomb(2000)),
        )
    connection.close()


def _wait_for_dossiers(database: Path) -> str:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        connection = sqlite3.connect(database)
        statuses = [row[0] for row in connection.execute("SELECT status FROM dossier")]
        connection.close()
        if statuses and all(status in ("ready", "failed") for status in statuses):
            return ", ".join(statuses)
        time.sleep(0.5)
    return "still building"


def _backup_long_line(server: Server, workdir: Path) -> tuple[str, float]:
    """Refuse an archive with one 600 MB line (CLI, in its own process); return its peak."""
    archive = workdir / "backup.zip"
    server.flask("export-data", str(archive)).check_returncode()
    hostile = workdir / "backup-long-line.zip"
    long_line(archive, hostile, line_bytes=600 * MB)
    empty = Server(workdir / "restore")
    empty.workdir.mkdir(exist_ok=True)
    empty.flask("db", "upgrade").check_returncode()
    probe = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [PYTHON, "-c", probe, PYTHON, "-m", "flask", "--app", "coworking", "import-data"]
        + ["--allow-unsigned", str(hostile)],
        env=empty.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    code, rss_kib = done.stdout.split()
    return f"exit {code}", int(rss_kib) / 1024


def measure(workdir: Path | None = None) -> list[Outcome]:
    """Send every hostile input to a fresh server; return what each did."""
    own = workdir is None
    base = Path(tempfile.mkdtemp(prefix="bench-hostile-")) if own else workdir
    assert base is not None
    server = Server(base)
    token = server.prepare()
    _insert_annex_bomb(server.database)
    archive_path = base / "tweets.js"
    largest_archive_file(archive_path, size=99 * MB, posts=200_000)
    server.start()
    admin = Browser(server.url)
    login = admin.post("/login", {"email": EMAIL, "password": PASSWORD}, "/login")
    if login != 200:
        raise SystemExit(f"hostile benchmark: login failed ({login})")
    cases: list[tuple[str, Callable[[], str], int]] = [
        (
            "iCalendar: cancelled daily series since 1900",
            lambda: str(
                admin.upload(
                    "/events/import", {}, {"file": ("a.ics", cancelled_daily_since_1900())}
                )
            ),
            MEMORY_LIMIT_MB,
        ),
        (
            "iCalendar: rules that never match",
            lambda: str(
                admin.upload("/events/import", {}, {"file": ("b.ics", never_matching_rules(20))})
            ),
            MEMORY_LIMIT_MB,
        ),
        (
            "iCalendar: 20,000 cancelled weekly series",
            lambda: str(
                admin.upload(
                    "/events/import", {}, {"file": ("c.ics", cancelled_weekly_series(20_000))}
                )
            ),
            MEMORY_LIMIT_MB,
        ),
        (
            "members CSV: 50,000 invalid rows",
            lambda: str(
                admin.upload(
                    "/members/import", {}, {"file": ("m.csv", members_invalid_rows(50_000))}
                )
            ),
            MEMORY_LIMIT_MB,
        ),
        (
            "members CSV: preview of 50,000 valid rows",
            lambda: str(
                admin.upload("/members/import", {}, {"file": ("v.csv", members_valid_rows(50_000))})
            ),
            MEMORY_LIMIT_MB,
        ),
        (
            "mention archive: largest allowed (99 MB, 200,000 posts), imported",
            lambda: str(
                admin.upload(
                    "/community/mentions/import",
                    {"hashtags": "", "account": "@mainelabs"},
                    {"archive": ("tweets.js", archive_path.read_bytes())},
                )
            ),
            ARCHIVE_MEMORY_LIMIT_MB,
        ),
        (
            "mention archive: JSON nested 100,000 deep",
            lambda: str(
                admin.upload(
                    "/community/mentions/import",
                    {"hashtags": "", "account": ""},
                    {"archive": ("tweets.js", deeply_nested_json(100_000))},
                )
            ),
            MEMORY_LIMIT_MB,
        ),
        (
            "document: PDF of 2,000 pages sharing one page",
            lambda: str(
                admin.upload(
                    "/community/documents",
                    {"title": "Statuts", "kind": "statutes"},
                    {"file": ("p.pdf", pdf_shared_page_bomb(2000))},
                )
            ),
            MEMORY_LIMIT_MB,
        ),
        (
            "document: PDF stream inflating to 1.5 GB",
            lambda: str(
                admin.upload(
                    "/community/documents",
                    {"title": "Lettre", "kind": "support_letter"},
                    {"file": ("i.pdf", pdf_inflation_bomb())},
                )
            ),
            MEMORY_LIMIT_MB,
        ),
        (
            "document: cross-reference stream inflating to 1.5 GB",
            lambda: str(
                admin.upload(
                    "/community/documents",
                    {"title": "Lettre", "kind": "other"},
                    {"file": ("x.pdf", pdf_xref_stream_bomb())},
                )
            ),
            MEMORY_LIMIT_MB,
        ),
        (
            "document: PNG of 13,000 × 13,000 pixels",
            lambda: str(
                admin.upload(
                    "/community/documents",
                    {"title": "Photo", "kind": "photo"},
                    {"file": ("b.png", png_pixel_bomb(13_000, 13_000))},
                )
            ),
            MEMORY_LIMIT_MB,
        ),
        (
            "dossier whose annex is a 2,000-page bomb",
            lambda: (
                str(
                    admin.post(
                        "/label/dossiers",
                        {"start": "2025-12-01", "end": "2026-11-30", "lang": "fr", "title": ""},
                        "/label/dossiers",
                    )
                )
                + " → "
                + _wait_for_dossiers(server.database)
            ),
            MEMORY_LIMIT_MB,
        ),
    ]
    outcomes: list[Outcome] = []
    try:
        with Kiosks(server.url, token) as kiosks:
            time.sleep(1.0)
            for name, send, limit in cases:
                server.reset_peak()
                start = time.monotonic()
                answer = send()
                end = time.monotonic()
                outcome = Outcome(name, answer, end - start, server.peak_mb(), limit)
                outcome.waits = kiosks.waits_between(start, end)
                outcomes.append(outcome)
                print(
                    f"[hostile] {name}: {answer} in {outcome.seconds:.1f} s, "
                    f"peak {outcome.peak_mb:.0f} MB, kiosks max {outcome.kiosk_max * 1000:.0f} ms"
                )
            time.sleep(1.0)
        answered = [row for row in kiosks.answers if row[2] == 201]
        lost = _lost_check_ins(server.database, {row[3] for row in answered})
        failed = len(kiosks.answers) - len(answered)
    finally:
        server.stop()
    start = time.monotonic()
    answer, peak = _backup_long_line(server, base)
    outcomes.append(
        Outcome(
            "backup archive with one 600 MB line (import-data)",
            answer,
            time.monotonic() - start,
            peak,
        )
    )
    outcomes.append(
        Outcome(
            f"kiosk check-ins: {len(answered)} answered, {failed} failed, {lost} lost",
            "",
            0.0,
            0.0,
            waits=[0.0] if not (failed or lost) else [float("inf")],
        )
    )
    return outcomes


def _lost_check_ins(database: Path, acknowledged: set[int | None]) -> int:
    connection = sqlite3.connect(database)
    stored = {row[0] for row in connection.execute("SELECT id FROM check_in")}
    connection.close()
    return len({ident for ident in acknowledged if ident is not None} - stored)


def report_lines(outcomes: list[Outcome]) -> list[str]:
    """Return the report's section on hostile inputs (Markdown)."""
    lines = [
        "## Hostile inputs (gunicorn, two workers as `make serve`; four kiosks checking in meanwhile)",
        "",
        "| input | answer | time | server peak memory | kiosks' wait, median / max | met |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        waits = (
            f"{o.kiosk_median * 1000:.0f} / {o.kiosk_max * 1000:.0f} ms"
            if o.waits and o.seconds
            else ""
        )
        peak = f"{o.peak_mb:.0f} MB ≤ {o.limit_mb} MB" if o.peak_mb else ""
        time_ = f"{o.seconds:.1f} s" if o.seconds else ""
        lines.append(
            f"| {o.name} | {o.answer} | {time_} | {peak} | {waits} | {'✅' if o.met else '❌'} |"
        )
    largest = max(outcomes, key=lambda o: o.peak_mb)
    lines += [
        "",
        f"Largest peak: {largest.peak_mb:.0f} MB ({largest.name}). Targets: under {MEMORY_LIMIT_MB} MB "
        f"for any input ({ARCHIVE_MEMORY_LIMIT_MB} MB for the largest archive allowed), kiosks "
        f"answered in under {KIOSK_WAIT_LIMIT_S:.0f} s, no check-in lost. The PDF checks run in a "
        "child process capped at 256 MB, not counted in the server's peak.",
        "",
    ]
    return lines


def main() -> None:
    outcomes = measure()
    print("\n".join(report_lines(outcomes)))


if __name__ == "__main__":
    main()
