"""Document operations: check an upload, store it with its thumbnail, delete it, list them.

Features above this one may refuse a deletion or clean their own links first: they register
with `before_document_deletion` (the label's final dossiers keep their documents).
Services flush and never commit: the request or the CLI command commits once.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from PIL import Image, ImageOps
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from coworking.audit import services as audit
from coworking.documents.file_checks import check_upload_content, open_image
from coworking.documents.models import ANNEX_KINDS, DOCUMENT_KINDS, IMAGE_TYPES, Document
from coworking.documents.uploads import UploadInfo, UploadRejected, sniff_upload
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.partners.models import Partner

THUMBNAIL_SIZE = (320, 320)


class DocumentError(ServiceError):
    """An upload or a deletion refused: a translated message, its field, and the HTTP status."""

    def __init__(self, message: Any, field: str | None = None, status: int = 400) -> None:
        super().__init__(message, field)
        self.status = status


_before_deletion: list[Callable[[Document], None]] = []


def before_document_deletion(check: Callable[[Document], None]) -> None:
    """Register a check run before a document is deleted: it raises DocumentError to refuse,
    or removes its feature's links to the document (idempotent)."""
    if check not in _before_deletion:
        _before_deletion.append(check)


def check_upload(data: bytes, filename: str, *, kind: str, max_bytes: int) -> UploadInfo:
    """Check an upload by its content and by what reading it would cost, else DocumentError.

    The slow part (measuring a PDF) is kept by content hash: a view may call this
    outside the write lock first, store_document then finds the answer ready.
    """
    try:
        info = sniff_upload(data, filename, max_bytes=max_bytes)
        check_upload_content(data, info, annex=kind in ANNEX_KINDS)
    except UploadRejected as rejection:
        status = 413 if rejection.code == "too_large" else 400
        raise DocumentError(rejection.reason, "file", status) from None
    return info


def store_document(
    data: bytes,
    filename: str,
    *,
    title: str = "",
    kind: str = "other",
    partner_id: int | None = None,
    uploaded_by: str | None = None,
    max_bytes: int,
) -> Document:
    """Check an upload by its content and keep it in the database, with a thumbnail."""
    if kind not in DOCUMENT_KINDS:
        raise DocumentError(_("Type de document inconnu."), "kind")
    info = check_upload(data, filename, kind=kind, max_bytes=max_bytes)
    if partner_id is not None and db.session.get(Partner, partner_id) is None:
        raise DocumentError(_("Partenaire introuvable."), "partner_id")
    title = (title or "").strip() or info.filename.rsplit(".", 1)[0]
    document = Document(
        title=title[:200],
        kind=kind,
        filename=info.filename,
        content_type=info.content_type,
        size=info.size,
        sha256=info.sha256,
        data=data,
        thumbnail=make_thumbnail(data) if info.content_type in IMAGE_TYPES else None,
        partner_id=partner_id,
        uploaded_by=uploaded_by,
    )
    db.session.add(document)
    db.session.flush()
    audit.record("document.create", document, document.title)
    return document


def make_thumbnail(data: bytes) -> bytes | None:
    """Return a small JPEG of an image, or None when it cannot be read safely."""
    try:
        with open_image(data) as image:
            image.draft("RGB", THUMBNAIL_SIZE)
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, "white")
                background.paste(image, mask=image.getchannel("A"))
                image = background
            elif image.mode != "RGB":
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        return None


def delete_document(document: Document) -> None:
    """Delete a document, unless a feature that uses it refuses."""
    for check in _before_deletion:
        check(document)
    audit.record("document.delete", document, document.title)
    db.session.delete(document)
    db.session.flush()


def documents_query(*, kind: str = "", partner_id: int | None = None) -> Select[Any]:
    query = (
        select(Document)
        .options(joinedload(Document.partner))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
    )
    if kind in DOCUMENT_KINDS:
        query = query.where(Document.kind == kind)
    if partner_id:
        query = query.where(Document.partner_id == partner_id)
    return query


def partner_documents(partner: Partner) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.partner_id == partner.id)
            .order_by(Document.uploaded_at.desc(), Document.id.desc())
        )
    )
