"""Label criteria and the dossiers built from them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from coworking.database import UTCDateTime, utcnow
from coworking.extensions import Model, db

criterion_document = Table(
    "criterion_document",
    db.metadata,
    Column("criterion_id", ForeignKey("criterion.id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
)

dossier_document = Table(
    "dossier_document",
    db.metadata,
    Column("dossier_id", ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "document_id", ForeignKey("document.id", ondelete="RESTRICT"), primary_key=True, index=True
    ),
)


class Criterion(Model):
    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    pillar: Mapped[str] = mapped_column(String(100))
    # "metric" or "declaration"
    kind: Mapped[str] = mapped_column(String(16))
    indicator_key: Mapped[str | None] = mapped_column(String(64))
    # ge, gt, le, lt, eq
    comparator: Mapped[str] = mapped_column(String(4), default="ge")
    target: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    # For declarations: the applicant's statement and whether it is met.
    statement: Mapped[str | None] = mapped_column(Text)
    declared_met: Mapped[bool] = mapped_column(default=False)
    # A declaration that needs a document attached (statutes, a support letter) to be met.
    evidence_required: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    documents = relationship("Document", secondary=criterion_document)


# A build still "building" after this long was cut short (process killed, server restarted).
STALE_AFTER = timedelta(minutes=15)


class Dossier(Model):
    __tablename__ = "dossier"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    lang: Mapped[str] = mapped_column(String(2), default="fr")
    # queued, building, ready, failed, final
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalized_by: Mapped[str | None] = mapped_column(String(254))
    error: Mapped[str | None] = mapped_column(Text)
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str | None] = mapped_column(String(64))
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    page_count: Mapped[int | None] = mapped_column(Integer)
    build_seconds: Mapped[float | None] = mapped_column(Float)
    snapshot: Mapped[dict | None] = deferred(mapped_column(JSON))
    warnings: Mapped[list | None] = mapped_column(JSON)
    # Seconds spent per phase of the build: data, charts, html, layout, write, annexes.
    timings: Mapped[dict | None] = mapped_column(JSON)
    # The phase a build is in while « building » (data, charts, layout, write, annexes).
    phase: Mapped[str | None] = mapped_column(String(16))

    @property
    def is_final(self) -> bool:
        return self.status == "final"

    @property
    def has_pdf(self) -> bool:
        return self.status in ("ready", "final")

    @property
    def interrupted(self) -> bool:
        """Tell whether a build was cut short: still « building » long after it started."""
        return (
            self.status == "building"
            and self.started_at is not None
            and self.started_at < utcnow() - STALE_AFTER
        )

    @property
    def shown_status(self) -> str:
        """Return the status to show: an interrupted build is shown failed until the worker
        records it so (pages only read)."""
        return "failed" if self.interrupted else self.status

    documents = relationship("Document", secondary=dossier_document)


class Narrative(Model):
    """A text of the application written by the applicant (Markdown), in one language."""

    __tablename__ = "narrative"
    __table_args__ = (UniqueConstraint("key", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(2), default="fr")
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254))


class NarrativeRevision(Model):
    """A saved state of a narrative: who wrote it, when (the text's history)."""

    __tablename__ = "narrative_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    narrative_id: Mapped[int] = mapped_column(
        ForeignKey("narrative.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(254))


class Commitment(Model):
    """The applicant's signed commitment to the network's charter (one row)."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty: the default text (translated, names the network's values and charter).
    text: Mapped[str] = mapped_column(Text, default="")
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_role: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    signed_on: Mapped[date | None] = mapped_column(Date)
    signature_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254))


class PhotoCaption(Model):
    """The caption a photo carries in the dossier."""

    __tablename__ = "photo_caption"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    caption: Mapped[str] = mapped_column(String(300), default="")
