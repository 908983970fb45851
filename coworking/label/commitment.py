"""The signed commitment to the network's charter, and the photos of the venue for the dossier.

One commitment row: its text (empty means the default one, translated), the signatory, the place,
the date and an optional signature image. Photos are uploaded documents of kind « photo »,
each with a caption; images are checked by the documents feature (type, pixel cap).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from coworking.audit import services as audit
from coworking.database import utcnow
from coworking.documents.models import IMAGE_TYPES, Document
from coworking.documents.services import DocumentError, check_upload, store_document
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.label.models import Commitment, PhotoCaption

__all__ = [
    "CommitmentError",
    "add_photo",
    "default_commitment_text",
    "get_commitment",
    "missing_commitment_parts",
    "save_commitment",
    "set_caption",
    "set_signature",
]

MAX_COMMITMENT_CHARS = 5_000
MAX_CAPTION_CHARS = 300


class CommitmentError(ServiceError):
    """A commitment, signature or photo refused: a translated message and its field."""


def default_commitment_text(space_name: str) -> str:
    """Return the default commitment, naming the network's values and its charter."""
    return _(
        "Au nom de %(space)s, je m'engage à respecter la charte du Réseau des Cantines et à "
        "faire vivre ses trois valeurs : le Partage, par une communauté qui s'entraide et "
        "coopère ; l'Ouverture, par un lieu accessible à tous les publics, au coworking ouvert "
        "et à la programmation en grande partie gratuite ; la Transmission, par des ateliers, "
        "des formations et des rencontres où chacun apprend des autres. Je m'engage à tenir "
        "une programmation riche et régulière, à accueillir l'expérimentation et à rendre "
        "compte chaque année de l'activité du lieu au réseau.",
        space=space_name or _("notre espace"),
    )


def get_commitment() -> Commitment | None:
    """Return the commitment row, if any (reading never creates it)."""
    return db.session.scalar(select(Commitment).order_by(Commitment.id).limit(1))


def _row() -> Commitment:
    row = get_commitment()
    if row is None:
        row = Commitment()
        db.session.add(row)
    return row


def _clean(value: str | None, limit: int, field: str) -> str:
    text = " ".join((value or "").split()) if limit <= MAX_CAPTION_CHARS else (value or "").strip()
    if len(text) > limit:
        raise CommitmentError(_("%(n)s caractères au plus.", n=limit), field)
    if "\x00" in text:
        raise CommitmentError(_("Le texte contient un caractère nul."), field)
    return text


def save_commitment(
    *,
    text: str | None,
    signatory_name: str | None,
    signatory_role: str | None,
    place: str | None,
    signed_on: date | None,
    by: str | None,
) -> Commitment:
    """Save the commitment's text and signatory (empty text: the default one)."""
    row = _row()
    row.text = _clean(text, MAX_COMMITMENT_CHARS, "text").replace("\r\n", "\n")
    row.signatory_name = _clean(signatory_name, 200, "signatory_name")
    row.signatory_role = _clean(signatory_role, 200, "signatory_role")
    row.place = _clean(place, 200, "place")
    row.signed_on = signed_on
    row.updated_at = utcnow()
    row.updated_by = by
    db.session.flush()
    audit.record("commitment.update", row, row.signatory_name or "—")
    return row


def _image_upload(data: bytes, filename: str, field: str, max_bytes: int) -> None:
    """Refuse, naming the field, a file that is not an image within the limits."""
    try:
        info = check_upload(data, filename, kind="photo", max_bytes=max_bytes)
    except DocumentError as error:
        raise CommitmentError(error.message, field) from None
    if info.content_type not in IMAGE_TYPES:
        raise CommitmentError(
            _("« %(name)s » n'est pas une image (PNG, JPEG ou WebP).", name=info.filename), field
        )


def image_problem_of(
    data: bytes, filename: str, field: str, max_bytes: int
) -> CommitmentError | None:
    """Return why a file is refused as an image (naming the field), None when it is fine.

    Views call it without the write lock: measuring a file takes time; the service checks
    again from the documents feature's cache.
    """
    try:
        _image_upload(data, filename, field, max_bytes)
    except CommitmentError as error:
        return error
    return None


def set_signature(data: bytes, filename: str, *, by: str | None, max_bytes: int) -> Commitment:
    """Store a signature image and put it on the commitment."""
    _image_upload(data, filename, "signature", max_bytes)
    document = store_document(
        data, filename, title=_("Signature"), kind="other", uploaded_by=by, max_bytes=max_bytes
    )
    row = _row()
    row.signature_document_id = document.id
    row.updated_at = utcnow()
    row.updated_by = by
    db.session.flush()
    audit.record("commitment.signature", row, document.title)
    return row


def remove_signature(by: str | None) -> None:
    """Take the signature image off the commitment (the document stays in the documents)."""
    row = get_commitment()
    if row is None or row.signature_document_id is None:
        return
    row.signature_document_id = None
    row.updated_at = utcnow()
    row.updated_by = by
    db.session.flush()
    audit.record("commitment.signature", row, "retirée")


def missing_commitment_parts(row: Commitment | None) -> list[str]:
    """Say what the commitment still lacks: signatory, role, place, date."""
    if row is None:
        return [_("signataire"), _("fonction"), _("lieu"), _("date")]
    names = (
        (row.signatory_name, _("signataire")),
        (row.signatory_role, _("fonction")),
        (row.place, _("lieu")),
        (row.signed_on, _("date")),
    )
    return [label for value, label in names if not value]


def add_photo(
    data: bytes, filename: str, caption: str | None, *, by: str | None, max_bytes: int
) -> Document:
    """Upload a photo of the venue or of an event, with its caption."""
    text = _clean(caption, MAX_CAPTION_CHARS, "caption")
    _image_upload(data, filename, "photo", max_bytes)
    document = store_document(
        data, filename, title=text[:200], kind="photo", uploaded_by=by, max_bytes=max_bytes
    )
    db.session.add(PhotoCaption(document_id=document.id, caption=text))
    db.session.flush()
    return document


def set_caption(document_id: int, caption: str | None) -> None:
    """Change a photo's caption."""
    document = db.session.get(Document, document_id)
    if document is None or document.kind != "photo":
        raise CommitmentError(_("Photo introuvable."), "caption")
    text = _clean(caption, MAX_CAPTION_CHARS, "caption")
    row = db.session.get(PhotoCaption, document_id)
    if row is None:
        db.session.add(PhotoCaption(document_id=document_id, caption=text))
    else:
        row.caption = text
    db.session.flush()
    audit.record("photo.caption", document, text)
