"""Partners, press, social-media mentions, outcomes and uploaded documents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from coworking.database import UTCDateTime, utcnow
from coworking.extensions import db

outcome_member = Table(
    "outcome_member",
    db.metadata,
    Column("outcome_id", ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Partner(db.Model):
    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # collectivite, entreprise, association, ecole, lieu, media
    kind: Mapped[str] = mapped_column(String(32), index=True)
    hosts_events: Mapped[bool] = mapped_column(default=False)
    funds: Mapped[bool] = mapped_column(default=False)
    supports: Mapped[bool] = mapped_column(default=False)
    founding_member: Mapped[bool] = mapped_column(default=False)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    events = relationship("Event", secondary="event_partner", back_populates="partners")


class Document(db.Model):
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


class PressArticle(db.Model):
    __tablename__ = "press_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    outlet: Mapped[str] = mapped_column(String(200))
    author: Mapped[str | None] = mapped_column(String(200))
    published_on: Mapped[date] = mapped_column(Date, index=True)
    url: Mapped[str | None] = mapped_column(String(500))
    excerpt: Mapped[str | None] = mapped_column(Text)
    clipping_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    clipping: Mapped[Document | None] = relationship()


class Mention(db.Model):
    __tablename__ = "mention"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_mention_platform_external_id"),
        Index("ix_mention_posted_at", "posted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # twitter, mastodon, linkedin, facebook, instagram, other
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(200), default="")
    # Set when the author (a member) was erased: a re-import must not restore them.
    author_erased: Mapped[bool] = mapped_column(default=False, server_default=false())
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text, default="")
    # Normalized, space-separated, without '#'.
    hashtags: Mapped[str] = mapped_column(String(500), default="")
    url: Mapped[str | None] = mapped_column(String(2048))
    likes: Mapped[int] = mapped_column(Integer, default=0)
    reposts: Mapped[int] = mapped_column(Integer, default=0)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    suggested_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event = relationship("Event", foreign_keys=[event_id])
    suggested_event = relationship("Event", foreign_keys=[suggested_event_id])


class Outcome(db.Model):
    """What the community produced: an internship, a job, a start-up, a collaboration."""

    __tablename__ = "outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    # stage, emploi, mission, entreprise, collaboration, autre
    kind: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    happened_on: Mapped[date] = mapped_column(Date, index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    testimonial: Mapped[str | None] = mapped_column(Text)
    testimonial_author: Mapped[str | None] = mapped_column(String(200))
    consent_publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event = relationship("Event")
    partner: Mapped[Partner | None] = relationship()
    members = relationship("Member", secondary=outcome_member)
