"""Events, their kinds and series, and attendance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coworking.database import UTCDateTime, utcnow
from coworking.extensions import Model, db

event_partner = Table(
    "event_partner",
    db.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "partner_id", ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class EventKind(Model):
    __tablename__ = "event_kind"

    slug: Mapped[str] = mapped_column(String(32), primary_key=True)
    label_fr: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    builtin: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(Integer, default=100)


class EventSeries(Model):
    """A rule that created events: weekly, or monthly on the n-th weekday."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # "weekly" or "monthly_nth_weekday"
    rule: Mapped[str] = mapped_column(String(32))
    weekday: Mapped[int] = mapped_column(Integer)
    nth: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Event(Model):
    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("external_uid", "external_recurrence_id", name="uq_event_external"),
        Index("ix_event_starts_at", "starts_at"),
        Index("ix_event_kind_starts_at", "kind", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(ForeignKey("event_kind.slug"), default="autre")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(default=False)
    # NULL: at the space itself; else the partner's place (a bar, a school...).
    venue_partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner.id", ondelete="SET NULL"), index=True
    )
    location: Mapped[str | None] = mapped_column(String(300))
    is_public: Mapped[bool] = mapped_column(default=True)
    is_free: Mapped[bool] = mapped_column(default=True)
    price_cents: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Normalized, space-separated, without '#': "twapero angers".
    hashtags: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    external_uid: Mapped[str | None] = mapped_column(String(300))
    # "" for a single event, so that the unique constraint also holds on PostgreSQL.
    external_recurrence_id: Mapped[str] = mapped_column(String(64), default="")
    # For open events where names are not taken.
    headcount: Mapped[int | None] = mapped_column(Integer)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_series.id", ondelete="SET NULL"), index=True
    )
    cancelled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    kind_ref: Mapped[EventKind] = relationship()
    series: Mapped[EventSeries | None] = relationship()
    venue_partner = relationship("Partner", foreign_keys=[venue_partner_id])
    partners = relationship(
        "Partner", secondary=event_partner, back_populates="events", order_by="Partner.sort_name"
    )


class Attendance(Model):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("event_id", "member_id", name="uq_attendance_event_member"),
        Index("ix_attendance_member_status", "member_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    guest_name: Mapped[str | None] = mapped_column(String(200))
    # registered, waiting, attended, no_show, cancelled
    status: Mapped[str] = mapped_column(String(16), default="registered")
    first_visit: Mapped[bool] = mapped_column(default=False)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    member = relationship("Member")
