"""The dossiers' lifecycle: queue a build, record its result or failure, retry, freeze, delete,
compare. Building one is `dossier_build`; the worker runs it off the request.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, update

from coworking.audit import services as audit
from coworking.database import rows_changed, utcnow
from coworking.dates import add_years
from coworking.documents.models import Document
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.label.models import (
    STALE_AFTER,
    Dossier,
    dossier_document,
)
from coworking.periods import Period

if TYPE_CHECKING:  # the build module imports this one for its checks
    from coworking.label.dossier_build import DossierBuild

LANGUAGES = ("fr", "en")
MAX_YEARS = 5
TITLE_MAX = 200
# 2: the applicant's texts, the action plan, the commitment, points per criterion.
SNAPSHOT_FORMAT = 2


class DossierError(ServiceError):
    """A user error about a dossier: a French message and the field it concerns."""


# -- input checks ----------------------------------------------------------------------


def check_period(start: date | None, end: date | None):
    """Return the Period of two dates, or raise DossierError naming the wrong field."""
    if start is None:
        raise DossierError(_("Indiquez la date de début de la période."), "start")
    if end is None:
        raise DossierError(_("Indiquez la date de fin de la période."), "end")
    if end < start:
        raise DossierError(_("La date de fin précède la date de début."), "end")
    if end >= add_years(start, MAX_YEARS):
        raise DossierError(
            _("La période ne peut pas dépasser %(years)s ans.", years=MAX_YEARS), "end"
        )
    return Period(start, end)


def check_title(title: str | None, period: Any, lang: str) -> str:
    """Return the cleaned title, or a default one naming the period."""
    title = " ".join((title or "").split())
    if len(title) > TITLE_MAX:
        raise DossierError(
            _("Le titre ne peut pas dépasser %(n)s caractères.", n=TITLE_MAX), "title"
        )
    if not title:
        with force_locale(lang):
            title = _(
                "Dossier de candidature %(start)s – %(end)s",
                start=format_date(period.start, "medium"),
                end=format_date(period.end, "medium"),
            )
    return title


def check_language(lang: str | None) -> str:
    if lang not in LANGUAGES:
        raise DossierError(_("Langue inconnue : choisissez français ou anglais."), "lang")
    return lang


# -- the archive of dossiers -----------------------------------------------------------


def queue_dossier(
    start: date | None,
    end: date | None,
    *,
    title: str | None,
    lang: str | None,
    created_by: str | None,
) -> Dossier:
    """Record a dossier to build (status queued); the worker builds it."""
    period = check_period(start, end)
    lang = check_language(lang)
    title = check_title(title, period, lang)
    dossier = Dossier(
        title=title,
        period_start=period.start,
        period_end=period.end,
        lang=lang,
        status="queued",
        created_by=created_by,
    )
    db.session.add(dossier)
    db.session.flush()
    audit.record("dossier.queue", dossier, f"{title} ({period.start} – {period.end})")
    return dossier


def save_build(dossier_id: int, build: DossierBuild) -> bool:
    """Store a finished build on its dossier, if the dossier is still being built."""
    result = db.session.execute(
        update(Dossier)
        .where(Dossier.id == dossier_id, Dossier.status == "building")
        .values(
            status="ready",
            pdf=build.pdf,
            sha256=build.sha256,
            content_sha256=build.content_sha256,
            page_count=build.page_count,
            snapshot=build.snapshot,
            warnings=build.warnings,
            timings=build.timings,
            build_seconds=build.timings.get("total"),
            finished_at=utcnow(),
            error=None,
            phase=None,
        )
    )
    return rows_changed(result) == 1


def record_phase(dossier_id: int, phase: str) -> None:
    """Record the phase a build is in, on its own connection: the build's session stays
    a reader, and the page that follows the build sees the phase at once."""
    with db.engine.begin() as connection:
        connection.execute(
            update(Dossier)
            .where(Dossier.id == dossier_id, Dossier.status == "building")
            .values(phase=phase)
        )


def record_failure(dossier_id: int, message: str) -> None:
    """Mark a build as failed, with no PDF left behind."""
    db.session.execute(
        update(Dossier)
        .where(Dossier.id == dossier_id, Dossier.status.in_(("queued", "building")))
        .values(
            status="failed",
            error=message[:2000],
            pdf=None,
            sha256=None,
            page_count=None,
            finished_at=utcnow(),
        )
    )


def expire_stale_builds(now: datetime | None = None) -> int:
    """Mark as failed the builds left « building » by a process that died; flushes.

    The dossier worker calls it before it looks for work; pages only show such builds as
    interrupted (`Dossier.interrupted`), they never write.
    """
    now = now or utcnow()
    result = db.session.execute(
        update(Dossier)
        .where(Dossier.status == "building", Dossier.started_at < now - STALE_AFTER)
        .values(
            status="failed",
            error=_("Construction interrompue (serveur arrêté ?) : relancez-la."),
            finished_at=now,
        )
    )
    return rows_changed(result)


def retry_dossier(dossier: Dossier) -> None:
    """Queue a failed dossier again."""
    if dossier.status != "failed" and not dossier.interrupted:
        raise DossierError(_("Seul un dossier en échec peut être relancé."))
    dossier.status = "queued"
    dossier.error = None
    dossier.started_at = None
    dossier.finished_at = None
    dossier.created_at = utcnow()
    db.session.flush()
    audit.record("dossier.retry", dossier, dossier.title)


def finalize_dossier(dossier: Dossier, by: str | None) -> None:
    """Freeze a ready dossier: no deletion any more, its documents locked."""
    if dossier.status == "final":
        raise DossierError(_("Ce dossier est déjà définitif."))
    if dossier.status != "ready":
        raise DossierError(_("Seul un dossier prêt peut devenir définitif."))
    dossier.status = "final"
    dossier.finalized_at = utcnow()
    dossier.finalized_by = by
    snapshot = db.session.scalar(select(Dossier.snapshot).where(Dossier.id == dossier.id)) or {}
    ids = {item["document_id"] for item in snapshot.get("annexes", [])} | {
        item["document_id"] for item in snapshot.get("pictures", [])
    }
    signature = (snapshot.get("commitment") or {}).get("signature_document_id")
    if signature:
        ids.add(signature)
    existing = db.session.scalars(select(Document.id).where(Document.id.in_(ids))).all()
    if existing:
        db.session.execute(
            insert(dossier_document),
            [{"dossier_id": dossier.id, "document_id": doc_id} for doc_id in sorted(existing)],
        )
    db.session.flush()
    audit.record("dossier.finalize", dossier, dossier.title)


def delete_dossier(dossier: Dossier) -> None:
    """Delete a draft dossier; final ones and builds in progress are kept."""
    if dossier.status == "final":
        raise DossierError(_("Un dossier définitif ne peut pas être supprimé."))
    if dossier.status in ("queued", "building"):
        raise DossierError(_("Attendez la fin de la construction avant de supprimer ce dossier."))
    audit.record("dossier.delete", dossier, dossier.title)
    db.session.execute(delete(Dossier).where(Dossier.id == dossier.id))
    db.session.flush()


def locked_document_ids(document_ids: list[int] | None = None) -> set[int]:
    """Return the documents that a final dossier holds (they cannot be removed)."""
    query = select(dossier_document.c.document_id).distinct()
    if document_ids is not None:
        query = query.where(dossier_document.c.document_id.in_(document_ids))
    return set(db.session.scalars(query))


def compare_snapshots(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """List what changed between two snapshots: indicators, criteria, score."""
    indicators = []
    old_values, new_values = old.get("indicators", {}), new.get("indicators", {})
    for key in sorted(set(old_values) | set(new_values)):
        a, b = old_values.get(key), new_values.get(key)
        delta = b - a if isinstance(a, int | float) and isinstance(b, int | float) else None
        indicators.append({"key": key, "old": a, "new": b, "delta": delta, "changed": a != b})
    old_criteria = {c["code"]: c for c in old.get("readiness", {}).get("criteria", [])}
    new_criteria = {c["code"]: c for c in new.get("readiness", {}).get("criteria", [])}
    criteria = []
    for code in sorted(set(old_criteria) | set(new_criteria)):
        a, b = old_criteria.get(code, {}), new_criteria.get(code, {})
        criteria.append(
            {
                "code": code,
                "title": b.get("title") or a.get("title", ""),
                "old_value": a.get("value"),
                "new_value": b.get("value"),
                "old_met": a.get("met"),
                "new_met": b.get("met"),
                "changed": (a.get("value"), a.get("met"), a.get("target"))
                != (b.get("value"), b.get("met"), b.get("target")),
            }
        )
    old_annexes = {a["sha256"]: a["title"] for a in old.get("annexes", [])}
    new_annexes = {a["sha256"]: a["title"] for a in new.get("annexes", [])}
    return {
        "indicators": indicators,
        "criteria": criteria,
        "score": (
            old.get("readiness", {}).get("score"),
            new.get("readiness", {}).get("score"),
        ),
        "annexes_added": sorted(
            title for sha, title in new_annexes.items() if sha not in old_annexes
        ),
        "annexes_removed": sorted(
            title for sha, title in old_annexes.items() if sha not in new_annexes
        ),
    }
