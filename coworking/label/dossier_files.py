"""The files a dossier carries: PDF annexes drawn into its last pages, pictures resized for it.

Every file is measured before it is used (`coworking.documents.file_checks`): one over the
limits is skipped with a warning on the dossier's page, never opened.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pikepdf
from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import undefer

from coworking.community.models import PressArticle
from coworking.documents.file_checks import (
    image_problem,
    inspect_pdf,
    megabytes,
    open_image,
    pdf_problem,
)
from coworking.documents.models import ANNEX_KINDS, Document
from coworking.documents.pdf_probe import content_streams, form_key
from coworking.extensions import db
from coworking.label.models import (
    Commitment,
    Criterion,
    PhotoCaption,
    criterion_document,
)
from coworking.space.models import SpaceProfile

LOGGER = logging.getLogger(__name__)


# The annexes of one dossier together: pages, and bytes (their files and the page
# contents drawn from them). Each annex has its own limits (coworking.documents.file_checks).
MAX_DOSSIER_ANNEX_PAGES = 200
MAX_DOSSIER_ANNEX_BYTES = 64 * 1024 * 1024
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
    return undefer(Document.data)


def annexes_of(evidence_ids: set[int], warnings: list[str]) -> list[Annex]:
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


def pictures_of(period: Any, warnings: list[str]) -> list[Picture]:
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
    rows = db.session.execute(
        select(Document, PhotoCaption.caption)
        .options(undefer_data())
        .outerjoin(PhotoCaption, PhotoCaption.document_id == Document.id)
        .where(
            Document.content_type.in_(PICTURE_TYPES),
            or_(Document.id.in_(clippings), Document.id.in_(photos.scalar_subquery())),
        )
        .order_by(Document.kind, Document.uploaded_at, Document.id)
    )
    pictures = []
    for document, caption in rows:
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
                caption=caption or document.title,
            )
        )
    return pictures


def signature_of(commitment: Commitment | None, warnings: list[str]) -> Picture | None:
    """Return the commitment's signature image, resized, or None."""
    if commitment is None or commitment.signature_document_id is None:
        return None
    document = db.session.scalar(
        select(Document)
        .options(undefer_data())
        .where(Document.id == commitment.signature_document_id)
    )
    if document is None or image_problem(document.data) is not None:
        return None
    data_url = resized_data_url(document.data, LOGO_MAX_PIXELS, keep_png=True)
    if data_url is None:
        warnings.append(_("Signature ignorée : fichier illisible."))
        return None
    return Picture(document.id, document.title, "signature", document.sha256, data_url)


def logo_of(profile: SpaceProfile | None, warnings: list[str]) -> Picture | None:
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


def draw_annexes(pdf: bytes, annexes: list[Annex]) -> bytes:
    """Draw each annexed page, scaled to fit, inside the frame of its placeholder page.

    The HTML ends with one placeholder page per annexed page, so that the table
    of contents and the « page x / y » footers count them; here the annexed
    pages are drawn into those last pages. qpdf (pikepdf) does it in a tenth of
    a second where a pure-Python reader needed seconds to parse the tagged document; the
    metadata, the structure tree and the PDF/A identification are kept.

    Annexes were measured before (coworking.documents.file_checks): this is never
    the first reading of a file. Pages are drawn without decoding their content
    (see page_form), a page the annex lists many times becomes one form drawn
    many times, and Flate streams are written as stored; qpdf re-encodes the
    rarer ASCII, LZW and run-length ones as it writes, within the measured sizes.
    """
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
    try:
        return stream.read_bytes()
    except pikepdf.PdfError:
        return b""
