"""Press articles, social-media mentions and outcomes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coworking.database import UTCDateTime, utcnow
from coworking.documents.models import Document
from coworking.extensions import Model, db
from coworking.partners.models import Partner

outcome_member = Table(
    "outcome_member",
    db.metadata,
    Column("outcome_id", ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class PressArticle(Model):
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


class Mention(Model):
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


class Outcome(Model):
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
    members = relationship("Member", secondary=outcome_member, order_by="Member.sort_name")

    @property
    def signature(self) -> str:
        """Return who signs the testimonial: the author given, else the members it names."""
        if self.testimonial_author:
            return self.testimonial_author
        return ", ".join(m.full_name for m in self.members if m.erased_at is None and m.full_name)
