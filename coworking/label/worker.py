"""Build queued dossiers off the request: a background thread, or inline (tests, CLI).

Config ``COWORKING_DOSSIER_WORKER``: ``thread`` (default) or ``inline``.

State machine of a Dossier: ``queued`` → ``building`` → ``ready`` (→ ``final``)
or ``failed`` (→ ``queued`` again on retry). A build is claimed with an atomic
UPDATE (``WHERE status = 'queued'``), so that several processes — gunicorn
workers — never build the same dossier twice; the PDF is stored in the same
transaction that marks it ready, so a failed or killed build leaves no half file.
A build left « building » by a killed process is marked failed after
``STALE_AFTER`` by the worker (``services.expire_stale_builds``) and can be retried;
pages only show it as interrupted. Queued builds left behind are picked up by
the worker a process starts at its first request (``init_app``), or by the
next one a build or a retry starts.

Each build runs in its own application context, hence its own database session.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from coworking.database import immediate_writes, rows_changed, utcnow
from coworking.extensions import db
from coworking.label import dossier_build, services
from coworking.label.models import Dossier
from coworking.periods import Period

LOGGER = logging.getLogger(__name__)

_lock = threading.Lock()
_running = False


def start(app: Flask | None = None) -> None:
    """Build the queued dossiers: now (inline) or in the background thread."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # Flask's proxy hides it from type checkers
    if app.config.get("COWORKING_DOSSIER_WORKER", "thread") == "inline":
        drain(app)
        return
    global _running
    with _lock:
        if _running:
            return
        _running = True
    thread = threading.Thread(target=_run, args=(app,), name="dossier-worker", daemon=True)
    thread.start()


def _run(app: Flask) -> None:
    global _running
    try:
        drain(app, stop_when_empty=True)
    except Exception:  # never let the thread die silently with the flag still up
        LOGGER.exception("dossier worker stopped")
        with _lock:
            _running = False


def init_app(app: Flask) -> None:
    """Start a worker at the process's first request: it builds what a dead process left queued."""
    if app.config.get("COWORKING_DOSSIER_WORKER", "thread") != "thread":
        return
    started = threading.Event()

    def start_once() -> None:
        if not started.is_set():
            started.set()
            start(app)

    app.before_request(start_once)


def expire_stale(app: Flask) -> int:
    """Mark failed the builds a dead process left « building »; return how many."""
    with app.app_context():
        try:
            with immediate_writes():
                expired = services.expire_stale_builds()
                db.session.commit()
            return expired
        finally:
            db.session.remove()


def drain(app: Flask, *, stop_when_empty: bool = False) -> int:
    """Build queued dossiers until none is left; return how many were built."""
    global _running
    built = 0
    expire_stale(app)
    while True:
        if stop_when_empty:
            # Deciding to stop and claiming happen under the lock, so that a dossier
            # queued meanwhile either is claimed here or starts a new thread.
            with _lock:
                dossier_id = claim_next(app)
                if dossier_id is None:
                    _running = False
                    return built
        else:
            dossier_id = claim_next(app)
            if dossier_id is None:
                return built
        build(app, dossier_id)
        built += 1


def claim_next(app: Flask) -> int | None:
    """Move the oldest queued dossier to « building » and return its id (None: no work)."""
    with app.app_context():
        try:
            while True:
                dossier_id = db.session.scalar(
                    select(Dossier.id)
                    .where(Dossier.status == "queued")
                    .order_by(Dossier.created_at, Dossier.id)
                    .limit(1)
                )
                db.session.commit()
                if dossier_id is None:
                    return None
                with immediate_writes():
                    claimed = rows_changed(
                        db.session.execute(
                            update(Dossier)
                            .where(Dossier.id == dossier_id, Dossier.status == "queued")
                            .values(status="building", started_at=utcnow(), error=None)
                        )
                    )
                    db.session.commit()
                if claimed == 1:
                    return dossier_id
        finally:
            db.session.remove()


def _phase_recorder(app: Flask, dossier_id: int) -> Callable[[str], None] | None:
    """Record each phase on the dossier for its page — in the background thread only: an
    inline build runs inside the request that holds SQLite's write lock."""
    if app.config.get("COWORKING_DOSSIER_WORKER", "thread") != "thread":
        return None
    return lambda phase: services.record_phase(dossier_id, phase)


def build(app: Flask, dossier_id: int) -> None:
    """Build one claimed dossier and store the result, or record the failure."""
    with app.app_context():
        try:
            dossier = db.session.get(Dossier, dossier_id)
            if dossier is None:
                return
            period = Period(dossier.period_start, dossier.period_end)
            result = dossier_build.build_dossier(
                period,
                lang=dossier.lang,
                title=dossier.title,
                version=dossier.id,
                built_at=dossier.started_at,
                on_phase=_phase_recorder(app, dossier_id),
            )
            db.session.commit()  # end the read transaction before taking the write lock
            with immediate_writes():
                services.save_build(dossier_id, result)
                db.session.commit()
        except Exception as error:
            db.session.rollback()
            LOGGER.exception("dossier %s failed", dossier_id)
            if isinstance(error, services.DossierError):
                message = error.message
            else:
                message = _(
                    "Erreur inattendue pendant la construction (%(kind)s).",
                    kind=type(error).__name__,
                )
            with immediate_writes():
                services.record_failure(dossier_id, message)
                db.session.commit()
        finally:
            db.session.remove()
