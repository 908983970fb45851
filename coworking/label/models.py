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
