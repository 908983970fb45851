"""An uploaded file, its kinds, and the types the application serves."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from coworking.database import UTCDateTime, utcnow
from coworking.extensions import Model
from coworking.partners.models import Partner

# Documents of these kinds are annexed to the dossier as pages (statutes, support letters).
ANNEX_KINDS = ("statutes", "support_letter")

DOCUMENT_KINDS = {
    "support_letter": _l("Lettre de soutien"),
    "statutes": _l("Statuts"),
    "agreement": _l("Convention"),
    "press_clipping": _l("Coupure de presse"),
    "photo": _l("Photo"),
    "logo": _l("Logo"),
    "other": _l("Autre"),
}

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
SERVED_TYPES = IMAGE_TYPES | {"application/pdf"}


class Document(Model):
    """An uploaded file kept in the database (support letter, statutes, clipping, photo)."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # support_letter, statutes, agreement, press_clipping, photo, logo, other
    kind: Mapped[str] = mapped_column(String(32), default="other", index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # Deferred: listing documents never loads their bytes.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    # A small JPEG made at upload for images (None for PDFs or unreadable images).
    thumbnail: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner.id", ondelete="SET NULL"), index=True
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by: Mapped[str | None] = mapped_column(String(254))

    partner: Mapped[Partner | None] = relationship()
