"""Build the label dossier: snapshot its figures, render the HTML, lay it out, draw the annexes.

Every figure printed comes from the indicator functions of ``coworking.stats`` and
every criterion result from ``coworking.label.readiness``: the dossier never counts
anything a second way (`dossier_data` gathers them; `dossier_files` its annexes and pictures).

Two hashes describe a dossier:

- ``content_sha256``, printed on the cover: the SHA-256 of the frozen snapshot
  serialized as canonical JSON (``canonical_json``: sorted keys, no spaces, UTF-8).
  The snapshot holds the period, title, language, space name, every indicator value,
  the criteria results and the SHA-256 of every annexed document. A file cannot print
  its own hash, so the cover names what it contains instead.
- ``sha256``: the SHA-256 of the PDF file itself, shown on the dossier's page in the
  application; the download serves exactly these bytes.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from coworking.database import utcnow
from coworking.label.dossier_data import DossierData, gather_data
from coworking.label.dossier_files import ANNEX_BOX, draw_annexes
from coworking.label.pdf import create_pdf_timed
from coworking.label.services import SNAPSHOT_FORMAT, check_language, check_title


@dataclass
class DossierBuild:
    """What a build produced: the PDF and what describes it."""

    pdf: bytes
    sha256: str
    content_sha256: str
    page_count: int
    snapshot: dict[str, Any]
    warnings: list[str]
    timings: dict[str, float]
    document_ids: list[int] = field(default_factory=list)


# -- snapshot and hashes ---------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """Serialize the way the content hash is defined: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8")


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def make_snapshot(data: DossierData, title: str) -> dict[str, Any]:
    """Freeze the figures and criteria results the dossier was built from."""
    readiness = data.readiness
    criteria = [
        {
            "code": result.code,
            "title": result.title,
            "kind": result.kind,
            "target": _number(result.target),
            "value": _number(result.value),
            "met": bool(result.met),
            "weight": _number(result.weight),
            "points": _number(result.points),
            "declared": result.declared_text or None,
            "evidence": [evidence.title for evidence in result.evidence],
        }
        for result in readiness.results
    ]
    application = data.application
    commitment = application.commitment
    return {
        "format": SNAPSHOT_FORMAT,
        "title": title,
        "lang": data.lang,
        "period": {"start": data.period.start.isoformat(), "end": data.period.end.isoformat()},
        "space": (data.profile.name if data.profile else "") or "",
        "indicators": {key: _number(value) for key, value in data.figures.indicators.items()},
        "readiness": {
            "score": round(float(readiness.score), 6),
            "met": sum(1 for one in criteria if one["met"]),
            "total": len(criteria),
            "points": _number(readiness.points),
            "total_points": _number(readiness.total_points),
            "criteria": criteria,
        },
        "texts": {item.key: item.body for item in application.texts if item.written},
        "plan": [
            {
                "code": step.code,
                "value": _number(step.value),
                "previous": _number(step.previous),
                "target": _number(step.target),
                "pace": None if step.pace is None else round(step.pace, 4),
                "reach_on": step.reach_on.isoformat() if step.reach_on else None,
            }
            for step in data.plan
        ],
        "commitment": {
            "text": application.commitment_text,
            "signatory": commitment.signatory_name if commitment else "",
            "role": commitment.signatory_role if commitment else "",
            "place": commitment.place if commitment else "",
            "signed_on": application.signed_on.isoformat() if application.signed_on else None,
            "signature_sha256": data.signature.sha256 if data.signature else None,
            "signature_document_id": data.signature.document_id if data.signature else None,
        },
        "annexes": [
            {
                "document_id": a.document_id,
                "title": a.title,
                "sha256": a.sha256,
                "pages": a.page_count,
            }
            for a in data.annexes
        ],
        "pictures": [
            {
                "document_id": p.document_id,
                "title": p.title,
                "caption": p.caption,
                "sha256": p.sha256,
            }
            for p in data.pictures
        ],
    }


# -- the build -------------------------------------------------------------------------


def render_dossier(
    data: DossierData,
    charts: dict[str, Any],
    *,
    title: str,
    snapshot: dict[str, Any],
    content_sha256: str,
    version: int | None,
    built_at: datetime,
    preview: bool = False,
    back_url: str = "",
) -> str:
    """Render the dossier's HTML: the PDF's and the browser preview's (one template)."""
    space_name = (data.profile.name if data.profile else "") or _("Espace non renseigné")
    return render_template(
        "dossier/dossier.html",
        d=data,
        f=data.figures,
        charts=charts,
        title=title,
        lang=data.lang,
        space_name=space_name,
        version=version,
        built_at=built_at,
        content_sha256=content_sha256,
        snapshot=snapshot,
        annex_box=ANNEX_BOX,
        missing=data.application.missing(data.readiness),
        preview=preview,
        back_url=back_url,
    )


def prepare_dossier(
    period: Any, lang: str, title: str | None, on_phase: Callable[[str], None] | None = None
) -> tuple[DossierData, dict[str, Any], str, dict[str, Any], str, dict[str, float]]:
    """Gather the data, draw the charts and freeze the snapshot: what the PDF and the preview
    share. Returns (data, charts, title, snapshot, content hash, timings)."""
    lang = check_language(lang)
    title = check_title(title, period, lang)
    timings: dict[str, float] = {}
    mark = time.perf_counter()
    if on_phase:
        on_phase("data")
    data = gather_data(period, lang)
    timings["data"] = time.perf_counter() - mark
    if on_phase:
        on_phase("charts")
    mark = time.perf_counter()
    charts = data.figures.draw_charts()
    timings["charts"] = time.perf_counter() - mark
    snapshot = make_snapshot(data, title)
    content_sha256 = hashlib.sha256(canonical_json(snapshot)).hexdigest()
    return data, charts, title, snapshot, content_sha256, timings


def build_dossier(
    period: Any,
    *,
    lang: str = "fr",
    title: str | None = None,
    version: int | None = None,
    built_at: datetime | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> DossierBuild:
    """Build the dossier PDF of a period, with its snapshot, hashes and phase timings.

    ``on_phase`` is told the name of each phase as it starts (data, charts, layout, write,
    annexes): the worker records it on the dossier for its page.
    """
    built_at = built_at or utcnow()
    started = time.perf_counter()
    with force_locale(lang):
        data, charts, title, snapshot, content_sha256, timings = prepare_dossier(
            period, lang, title, on_phase
        )
        mark = time.perf_counter()
        html = render_dossier(
            data,
            charts,
            title=title,
            snapshot=snapshot,
            content_sha256=content_sha256,
            version=version,
            built_at=built_at,
        )
        space_name = (data.profile.name if data.profile else "") or _("Espace non renseigné")
        timings["html"] = time.perf_counter() - mark

    if on_phase:
        on_phase("layout")
    pdf, render_timings = create_pdf_timed(
        html,
        static_folder=current_app.static_folder or "static",
        title=title,
        lang=lang,
        authors=[space_name],
        description=f"{title} — {period.start.isoformat()} / {period.end.isoformat()}",
        on_write=(lambda: on_phase("write")) if on_phase else None,
    )
    timings["layout"] = render_timings["layout"]
    timings["write"] = render_timings["write"]

    mark = time.perf_counter()
    if data.annexes:
        if on_phase:
            on_phase("annexes")
        # The placeholder pages are in the count already: drawing adds no page.
        pdf = draw_annexes(pdf, data.annexes)
    pages = int(render_timings["pages"])
    timings["annexes"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return DossierBuild(
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        content_sha256=content_sha256,
        page_count=pages,
        snapshot=snapshot,
        warnings=data.warnings,
        timings={key: round(value, 4) for key, value in timings.items()},
        document_ids=[a.document_id for a in data.annexes]
        + [p.document_id for p in data.pictures]
        + ([data.logo.document_id] if data.logo else [])
        + ([data.signature.document_id] if data.signature else []),
    )
