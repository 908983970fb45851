"""Build the label dossier: gather the figures once, render HTML, lay it out, attach annexes.

Every figure printed comes from the indicator functions of ``coworking.stats`` and
every criterion result from ``coworking.label.readiness``: the dossier never counts
anything a second way. The other queries here fetch lists to print (events, partners,
press articles, testimonials, documents), a fixed number of them whatever the data size.

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

import base64
import hashlib
import json
import logging
import threading
import time
import zlib
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import and_, case, delete, func, insert, or_, select, update

from coworking.audit import services as audit
from coworking.community.file_checks import (
    image_problem,
    inspect_pdf,
    megabytes,
    open_image,
    pdf_problem,
)
from coworking.community.models import Document, Outcome, Partner, PressArticle
from coworking.community.pdf_probe import content_streams, form_key
from coworking.database import utcnow
from coworking.errors import ServiceError
from coworking.events.models import Event, EventKind, event_partner
from coworking.extensions import db
from coworking.label.models import (
    STALE_AFTER,
    Criterion,
    Dossier,
    criterion_document,
    dossier_document,
)
from coworking.label.pdf import create_pdf_timed
from coworking.space.models import BoardMember, BudgetLine, GeneralAssembly, SpaceProfile

LOGGER = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")
MAX_YEARS = 5
TITLE_MAX = 200
SNAPSHOT_FORMAT = 1

# Documents appended as pages, and documents placed as pictures.
ANNEX_KINDS = ("statutes", "support_letter")
# The annexes of one dossier together: pages, and bytes (their files and the page
# contents drawn from them). Each annex has its own limits (coworking.community.file_checks).
MAX_DOSSIER_ANNEX_PAGES = 200
MAX_DOSSIER_ANNEX_BYTES = 64 * 1024 * 1024
PICTURE_KINDS = ("photo", "press_clipping")
PICTURE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MAX_PHOTOS = 12
# Pictures are re-encoded before they reach WeasyPrint: at most this many pixels
# on the long side (about 200 dpi across the text width), JPEG quality 82.
PICTURE_MAX_PIXELS = 1400
PICTURE_QUALITY = 82
LOGO_MAX_PIXELS = 600

# Geometry of an annex page, in millimetres, shared with static/css/dossier.css:
# the box inside the frame where the annexed page is drawn, from the page's bottom-left.
MM = 72 / 25.4
ANNEX_BOX = {"left": 22.0, "bottom": 31.0, "width": 164.0, "height": 236.0}

__all__ = [
    "DossierBuild",
    "DossierError",
    "build_dossier",
    "canonical_json",
    "check_period",
    "compare_snapshots",
    "delete_dossier",
    "expire_stale_builds",
    "finalize_dossier",
    "locked_document_ids",
    "queue_dossier",
    "retry_dossier",
]


class DossierError(ServiceError):
    """A user error about a dossier: a French message and the field it concerns."""


@dataclass
class Annex:
    """A PDF document whose pages are drawn into the dossier's last pages."""

    document_id: int
    title: str
    kind: str
    sha256: str
    data: bytes
    page_count: int


@dataclass
class Picture:
    """An image document, resized and ready for the PDF as a data: URL."""

    document_id: int
    title: str
    kind: str
    sha256: str
    data_url: str
    caption: str = ""


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


# -- input checks ----------------------------------------------------------------------


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_period(start: date | None, end: date | None):
    """Return the Period of two dates, or raise DossierError naming the wrong field."""
    from coworking.stats.indicators import Period

    if start is None:
        raise DossierError(_("Indiquez la date de début de la période."), "start")
    if end is None:
        raise DossierError(_("Indiquez la date de fin de la période."), "end")
    if end < start:
        raise DossierError(_("La date de fin précède la date de début."), "end")
    if end >= _add_years(start, MAX_YEARS):
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


# -- data ------------------------------------------------------------------------------


@dataclass
class DossierData:
    """Everything the dossier prints, gathered with a fixed number of queries."""

    period: Any
    lang: str
    profile: SpaceProfile | None
    logo: Picture | None
    board: list[BoardMember]
    assemblies: list[GeneralAssembly]
    budget_years: list[dict[str, Any]]
    figures: Any  # coworking.stats figures for the period (indicators, series, mixes)
    readiness: Any
    events: list[dict[str, Any]]
    recurring: list[tuple[str, int]]
    partners: list[dict[str, Any]]
    press: list[PressArticle]
    testimonials: list[Outcome]
    annexes: list[Annex]
    pictures: list[Picture]
    warnings: list[str]


def gather_data(period: Any, lang: str) -> DossierData:
    """Run the queries of the dossier: a constant number, whatever the data size."""
    from coworking.label.dossier_figures import figures_for_dossier
    from coworking.label.readiness import evaluate

    warnings: list[str] = []
    profile = db.session.scalar(select(SpaceProfile).order_by(SpaceProfile.id).limit(1))
    logo = _logo(profile, warnings)
    board = list(
        db.session.scalars(select(BoardMember).order_by(BoardMember.position, BoardMember.id))
    )
    assemblies = list(
        db.session.scalars(
            select(GeneralAssembly)
            .where(GeneralAssembly.held_on <= period.end)
            .order_by(GeneralAssembly.held_on.desc())
        )
    )
    figures = figures_for_dossier(period, lang)
    readiness = evaluate(period)
    evidence_ids = {evidence.id for result in readiness.results for evidence in result.evidence}
    return DossierData(
        period=period,
        lang=lang,
        profile=profile,
        logo=logo,
        board=board,
        assemblies=assemblies,
        budget_years=_budget(period),
        figures=figures,
        readiness=readiness,
        events=_events(period, lang),
        recurring=_recurring(period),
        partners=_partners(period),
        press=list(
            db.session.scalars(
                select(PressArticle)
                .where(PressArticle.published_on.between(period.start, period.end))
                .order_by(PressArticle.published_on, PressArticle.id)
            )
        ),
        testimonials=list(
            db.session.scalars(
                select(Outcome)
                .where(
                    Outcome.happened_on.between(period.start, period.end),
                    Outcome.consent_publish_at.is_not(None),
                    Outcome.testimonial.is_not(None),
                    Outcome.testimonial != "",
                )
                .order_by(Outcome.happened_on, Outcome.id)
            )
        ),
        annexes=_annexes(evidence_ids, warnings),
        pictures=_pictures(period, warnings),
        warnings=warnings,
    )


def _budget(period: Any) -> list[dict[str, Any]]:
    """Return the budget of each year the period touches: lines and income by source."""
    lines = db.session.scalars(
        select(BudgetLine)
        .where(BudgetLine.year.between(period.start.year, period.end.year))
        .order_by(BudgetLine.year, BudgetLine.direction, BudgetLine.category, BudgetLine.id)
    )
    years: dict[int, dict[str, Any]] = {}
    for line in lines:
        year = years.setdefault(
            line.year,
            {"year": line.year, "income": [], "expense": [], "sources": defaultdict(int)},
        )
        if line.direction == "income":
            year["income"].append(line)
            year["sources"][line.source or "other"] += line.amount_cents
        else:
            year["expense"].append(line)
    result = []
    for year in years.values():
        year["income_total"] = sum(line.amount_cents for line in year["income"])
        year["expense_total"] = sum(line.amount_cents for line in year["expense"])
        year["sources"] = sorted(year["sources"].items(), key=lambda item: -item[1])
        result.append(year)
    return result


def _paris_bounds(period: Any) -> tuple[datetime, datetime]:
    """Return the period as aware datetimes: from its first day's midnight to after its last."""
    from coworking.i18n import PARIS

    start = datetime.combine(period.start, datetime.min.time(), tzinfo=PARIS)
    end = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), tzinfo=PARIS)
    return start, end


def _events(period: Any, lang: str) -> list[dict[str, Any]]:
    """List the period's events (cancelled ones left out) with attendance and co-organisers."""
    from coworking.events.models import Attendance

    start, end = _paris_bounds(period)
    attended = (
        select(Attendance.event_id, func.count().label("attended"))
        .where(Attendance.status == "attended")
        .group_by(Attendance.event_id)
        .subquery()
    )
    kind_label = EventKind.label_en if lang == "en" else EventKind.label_fr
    rows = db.session.execute(
        select(
            Event.id,
            Event.title,
            Event.starts_at,
            Event.all_day,
            Event.location,
            Event.is_public,
            Event.is_free,
            Event.headcount,
            Event.series_id,
            kind_label.label("kind"),
            Partner.name.label("venue"),
            func.coalesce(attended.c.attended, 0).label("attended"),
        )
        .join(EventKind, EventKind.slug == Event.kind)
        .outerjoin(Partner, Partner.id == Event.venue_partner_id)
        .outerjoin(attended, attended.c.event_id == Event.id)
        .where(Event.starts_at >= start, Event.starts_at < end, Event.cancelled.is_(False))
        .order_by(Event.starts_at, Event.id)
    ).all()
    organisers: dict[int, list[str]] = defaultdict(list)
    for event_id, name in db.session.execute(
        select(event_partner.c.event_id, Partner.name)
        .join(Partner, Partner.id == event_partner.c.partner_id)
        .join(Event, Event.id == event_partner.c.event_id)
        .where(Event.starts_at >= start, Event.starts_at < end, Event.cancelled.is_(False))
        .order_by(Partner.name)
    ):
        organisers[event_id].append(name)
    return [
        {
            **row._asdict(),
            "people": row.attended + (row.headcount or 0),
            "partners": organisers.get(row.id, []),
        }
        for row in rows
    ]


def _recurring(period: Any) -> list[tuple[str, int]]:
    """Count the period's events of each recurring series (the monthly twapéro…)."""
    from coworking.events.models import EventSeries

    start, end = _paris_bounds(period)
    rows = db.session.execute(
        select(EventSeries.title, func.count(Event.id))
        .join(Event, Event.series_id == EventSeries.id)
        .where(Event.starts_at >= start, Event.starts_at < end, Event.cancelled.is_(False))
        .group_by(EventSeries.id, EventSeries.title)
        .order_by(func.count(Event.id).desc(), EventSeries.title)
    )
    return [(title, count) for title, count in rows]


def _partners(period: Any) -> list[dict[str, Any]]:
    """List partners active in the period, with the events they hosted or co-organised."""
    start, end = _paris_bounds(period)
    in_period = and_(Event.starts_at >= start, Event.starts_at < end, Event.cancelled.is_(False))
    hosted = dict(
        db.session.execute(
            select(Event.venue_partner_id, func.count())
            .where(in_period, Event.venue_partner_id.is_not(None))
            .group_by(Event.venue_partner_id)
        ).all()
    )
    coorganised = dict(
        db.session.execute(
            select(event_partner.c.partner_id, func.count())
            .join(Event, Event.id == event_partner.c.event_id)
            .where(in_period)
            .group_by(event_partner.c.partner_id)
        ).all()
    )
    partners = db.session.scalars(
        select(Partner)
        .where(
            or_(Partner.since.is_(None), Partner.since <= period.end),
            or_(Partner.until.is_(None), Partner.until >= period.start),
        )
        .order_by(Partner.kind, Partner.name)
    )
    return [
        {
            "partner": partner,
            "hosted": hosted.get(partner.id, 0),
            "coorganised": coorganised.get(partner.id, 0),
            "roles": [
                label
                for flag, label in (
                    (partner.hosts_events, _("accueille des événements")),
                    (partner.funds, _("finance")),
                    (partner.supports, _("soutient")),
                    (partner.founding_member, _("membre fondateur")),
                )
                if flag
            ],
        }
        for partner in partners
    ]


def _annex_documents(evidence_ids: set[int]) -> list[tuple[Document, int]]:
    """Return the PDF annexes in dossier order, each with its size (their bytes not loaded)."""
    evidence = (
        select(criterion_document.c.document_id)
        .join(Criterion, Criterion.id == criterion_document.c.criterion_id)
        .where(Criterion.active.is_(True))
    )
    rows = db.session.execute(
        select(Document, func.coalesce(func.length(Document.data), 0))
        .where(
            Document.content_type == "application/pdf",
            or_(
                Document.kind.in_(ANNEX_KINDS),
                Document.id.in_(evidence),
                Document.id.in_(sorted(evidence_ids) or [-1]),
            ),
        )
        .order_by(
            case(
                (Document.kind == "statutes", 0),
                (Document.kind == "support_letter", 1),
                else_=2,
            ),
            Document.title,
            Document.id,
        )
    )
    return [(document, int(size)) for document, size in rows]


def _document_data(ids: list[int]) -> dict[int, bytes]:
    """Load the bytes of some documents in one query."""
    rows = db.session.execute(
        select(Document.id, Document.data).where(Document.id.in_(sorted(ids) or [-1]))
    )
    return {document_id: data for document_id, data in rows}


def undefer_data():
    from sqlalchemy.orm import undefer

    return undefer(Document.data)


def _annexes(evidence_ids: set[int], warnings: list[str]) -> list[Annex]:
    """Check the PDF annexes, in order, within each annex's and the dossier's limits.

    An unreadable annex, one beyond its own limits (pages, decoded bytes) or one that
    would take the dossier's annexes past theirs is skipped with a warning. Files that
    would not fit are not even loaded.
    """
    candidates = []
    loaded = 0
    for document, size in _annex_documents(evidence_ids):
        if loaded + size > MAX_DOSSIER_ANNEX_BYTES:
            warnings.append(_dossier_bytes_warning(document.title))
            continue
        loaded += size
        candidates.append(document)
    contents = _document_data([document.id for document in candidates])
    annexes: list[Annex] = []
    pages = weight = 0
    for document in candidates:
        data = contents.get(document.id) or b""
        report = inspect_pdf(data)
        problem = pdf_problem(report)
        if problem is not None:
            LOGGER.warning("Annex %s skipped: %s (%s)", document.id, report.status, problem)
            warnings.append(
                _(
                    "Annexe « %(title)s » ignorée : %(reason)s.",
                    title=document.title,
                    reason=problem,
                )
            )
            continue
        if not report.readable:
            LOGGER.warning("Annex %s skipped: %s", document.id, report.status)
            warnings.append(
                _(
                    "Annexe « %(title)s » ignorée : ce n'est pas un PDF lisible.",
                    title=document.title,
                )
            )
            continue
        if pages + report.pages > MAX_DOSSIER_ANNEX_PAGES:
            warnings.append(
                _(
                    "Annexe « %(title)s » ignorée : les annexes du dossier dépasseraient "
                    "%(max)s pages.",
                    title=document.title,
                    max=format_decimal(MAX_DOSSIER_ANNEX_PAGES),
                )
            )
            continue
        added = len(data) + (report.content_bytes or 0) + report.reencoded_bytes
        if weight + added > MAX_DOSSIER_ANNEX_BYTES:
            warnings.append(_dossier_bytes_warning(document.title))
            continue
        pages += report.pages
        weight += added
        annexes.append(
            Annex(
                document_id=document.id,
                title=document.title,
                kind=document.kind,
                sha256=document.sha256,
                data=data,
                page_count=report.pages,
            )
        )
    return annexes


def _dossier_bytes_warning(title: str) -> str:
    return _(
        "Annexe « %(title)s » ignorée : les annexes du dossier dépasseraient %(limit)s.",
        title=title,
        limit=megabytes(MAX_DOSSIER_ANNEX_BYTES),
    )


def _pictures(period: Any, warnings: list[str]) -> list[Picture]:
    """Load the press clippings of the period and the latest photos, resized."""
    clippings = select(PressArticle.clipping_document_id).where(
        PressArticle.published_on.between(period.start, period.end),
        PressArticle.clipping_document_id.is_not(None),
    )
    photos = (
        select(Document.id)
        .where(Document.kind == "photo", Document.content_type.in_(PICTURE_TYPES))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
        .limit(MAX_PHOTOS)
    )
    documents = db.session.scalars(
        select(Document)
        .options(undefer_data())
        .where(
            Document.content_type.in_(PICTURE_TYPES),
            or_(Document.id.in_(clippings), Document.id.in_(photos.scalar_subquery())),
        )
        .order_by(Document.kind, Document.uploaded_at, Document.id)
    )
    pictures = []
    for document in documents:
        problem = image_problem(document.data)
        if problem is not None:
            warnings.append(
                _(
                    "Image « %(title)s » ignorée : %(reason)s.",
                    title=document.title,
                    reason=problem,
                )
            )
            continue
        data_url = resized_data_url(document.data, PICTURE_MAX_PIXELS)
        if data_url is None:
            warnings.append(
                _("Image « %(title)s » ignorée : fichier illisible.", title=document.title)
            )
            continue
        pictures.append(
            Picture(
                document_id=document.id,
                title=document.title,
                kind=document.kind,
                sha256=document.sha256,
                data_url=data_url,
            )
        )
    return pictures


def _logo(profile: SpaceProfile | None, warnings: list[str]) -> Picture | None:
    if profile is None or profile.logo_document_id is None:
        return None
    document = db.session.scalar(
        select(Document).options(undefer_data()).where(Document.id == profile.logo_document_id)
    )
    if document is None:
        return None
    problem = image_problem(document.data)
    if problem is not None:
        warnings.append(_("Logo ignoré : %(reason)s.", reason=problem))
        return None
    data_url = resized_data_url(document.data, LOGO_MAX_PIXELS, keep_png=True)
    if data_url is None:
        warnings.append(_("Logo ignoré : fichier illisible."))
        return None
    return Picture(document.id, document.title, "logo", document.sha256, data_url)


_resized_cache: OrderedDict[tuple[str, int, bool], str | None] = OrderedDict()
_RESIZED_CACHE_SIZE = 64
_resized_lock = threading.Lock()  # the worker thread and inline builds may share it


def resized_data_url(data: bytes, max_pixels: int, *, keep_png: bool = False) -> str | None:
    """Return an image as a data: URL, shrunk to max_pixels; None if unreadable.

    Photos become JPEG; a logo with transparency stays PNG. Results are kept by
    content hash in this process: the next builds skip decoding the same photos.
    """
    key = (hashlib.sha256(data).hexdigest(), max_pixels, keep_png)
    with _resized_lock:
        if key in _resized_cache:
            _resized_cache.move_to_end(key)
            return _resized_cache[key]
    result = _resize(data, max_pixels, keep_png)
    with _resized_lock:
        _resized_cache[key] = result
        while len(_resized_cache) > _RESIZED_CACHE_SIZE:
            _resized_cache.popitem(last=False)
    return result


def _resize(data: bytes, max_pixels: int, keep_png: bool) -> str | None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with open_image(data) as source:  # refuses more than MAX_IMAGE_PIXELS before decoding
            source.draft("RGB", (max_pixels, max_pixels))  # JPEG: decode at a smaller scale
            image = ImageOps.exif_transpose(source)
            image.thumbnail((max_pixels, max_pixels))
            output = BytesIO()
            if keep_png and image.mode in ("RGBA", "LA", "P"):
                image.convert("RGBA").save(output, "PNG", optimize=True)
                mime = "image/png"
            else:
                image.convert("RGB").save(output, "JPEG", quality=PICTURE_QUALITY, optimize=True)
                mime = "image/jpeg"
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None
    return f"data:{mime};base64," + base64.b64encode(output.getvalue()).decode("ascii")


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
            "evidence": [evidence.title for evidence in result.evidence],
        }
        for result in readiness.results
    ]
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
            "criteria": criteria,
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
            {"document_id": p.document_id, "title": p.title, "sha256": p.sha256}
            for p in data.pictures
        ],
    }


# -- the build -------------------------------------------------------------------------


def build_dossier(
    period: Any,
    *,
    lang: str = "fr",
    title: str | None = None,
    version: int | None = None,
    built_at: datetime | None = None,
) -> DossierBuild:
    """Build the dossier PDF of a period, with its snapshot, hashes and phase timings."""
    lang = check_language(lang)
    title = check_title(title, period, lang)
    built_at = built_at or utcnow()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with force_locale(lang):
        data = gather_data(period, lang)
        timings["data"] = time.perf_counter() - started

        mark = time.perf_counter()
        charts = data.figures.draw_charts()
        timings["charts"] = time.perf_counter() - mark

        mark = time.perf_counter()
        snapshot = make_snapshot(data, title)
        content_sha256 = hashlib.sha256(canonical_json(snapshot)).hexdigest()
        space_name = (data.profile.name if data.profile else "") or _("Espace non renseigné")
        html = render_template(
            "dossier/dossier.html",
            d=data,
            f=data.figures,
            charts=charts,
            title=title,
            lang=lang,
            space_name=space_name,
            version=version,
            built_at=built_at,
            content_sha256=content_sha256,
            snapshot=snapshot,
            annex_box=ANNEX_BOX,
        )
        timings["html"] = time.perf_counter() - mark

    pdf, render_timings = create_pdf_timed(
        html,
        static_folder=current_app.static_folder,
        title=title,
        lang=lang,
        authors=[space_name],
        description=f"{title} — {period.start.isoformat()} / {period.end.isoformat()}",
    )
    timings["layout"] = render_timings["layout"]
    timings["write"] = render_timings["write"]

    mark = time.perf_counter()
    if data.annexes:
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
        + ([data.logo.document_id] if data.logo else []),
    )


def draw_annexes(pdf: bytes, annexes: list[Annex]) -> bytes:
    """Draw each annexed page, scaled to fit, inside the frame of its placeholder page.

    The HTML ends with one placeholder page per annexed page, so that the table
    of contents and the « page x / y » footers count them; here the annexed
    pages are drawn into those last pages. qpdf (pikepdf) does it in a tenth of
    a second where pypdf needed seconds to parse the tagged document; the
    metadata, the structure tree and the PDF/A identification are kept.

    Annexes were measured before (coworking.community.file_checks): this is never
    the first reading of a file. Pages are drawn without decoding their content
    (see page_form), a page the annex lists many times becomes one form drawn
    many times, and Flate streams are written as stored; qpdf re-encodes the
    rarer ASCII, LZW and run-length ones as it writes, within the measured sizes.
    """
    import pikepdf

    box = pikepdf.Rectangle(
        ANNEX_BOX["left"] * MM,
        ANNEX_BOX["bottom"] * MM,
        (ANNEX_BOX["left"] + ANNEX_BOX["width"]) * MM,
        (ANNEX_BOX["bottom"] + ANNEX_BOX["height"]) * MM,
    )
    with pikepdf.open(BytesIO(pdf)) as document:
        total = sum(annex.page_count for annex in annexes)
        index = len(document.pages) - total
        if index < 0:
            raise RuntimeError("the dossier has fewer placeholder pages than annexed pages")
        for annex in annexes:
            with pikepdf.open(BytesIO(annex.data)) as source:
                forms: dict[tuple[Any, ...], Any] = {}
                used: set[tuple[int, int]] = set()
                for page in source.pages:
                    key = form_key(page)
                    if key not in forms:
                        forms[key] = document.copy_foreign(page_form(page, used))
                    # Scaled to fit the box, centred, rotation and aspect ratio kept.
                    document.pages[index].add_overlay(forms[key], box)
                    index += 1
        output = BytesIO()
        document.save(output, deterministic_id=True)
    return output.getvalue()


def page_form(page: Any, used: set[tuple[int, int]]) -> Any:
    """Make a form XObject of an annexed page without decoding its content.

    qpdf's ``as_form_xobject`` gives the form's dictionary (box, resources, the
    matrix of a rotated page), but copying its content would decode it whole.
    So the page's own content stream becomes the form: its dictionary gets those
    entries, its stored bytes are untouched. A content stream already made into
    another form (same content, other resources) is copied as stored; several
    content streams are joined, decoded then, within the sizes the probe measured.
    ``used`` holds the content streams already made into forms.
    """
    import pikepdf

    form = page.as_form_xobject()
    streams = content_streams(page)
    if len(streams) == 1 and streams[0].objgen not in used:
        stream = streams[0]
        used.add(stream.objgen)
        for name, value in form.stream_dict.items():
            if name not in ("/Length", "/Filter", "/DecodeParms"):
                stream.stream_dict[name] = value
        return stream
    if len(streams) == 1:
        stream = streams[0]
        form.write(
            stream.read_raw_bytes(),
            filter=stream.stream_dict.get("/Filter"),
            decode_parms=stream.stream_dict.get("/DecodeParms"),
            type_check=False,
        )
    else:
        parts = [_decoded_or_nothing(stream) for stream in streams]
        form.write(zlib.compress(b"\n".join(parts)), filter=pikepdf.Name.FlateDecode)
    return form


def _decoded_or_nothing(stream: Any) -> bytes:
    """Decode a content stream; one qpdf cannot decode draws nothing, as in a PDF reader."""
    import pikepdf

    try:
        return stream.read_bytes()
    except pikepdf.PdfError:
        return b""


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
        )
    )
    return result.rowcount == 1


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
    return result.rowcount


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
