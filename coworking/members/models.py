"""Members, membership plans and memberships."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from coworking.collation import sort_key_type
from coworking.database import UTCDateTime, utcnow
from coworking.extensions import Model


class Member(Model):
    __tablename__ = "member"
    __table_args__ = (
        Index("ix_member_joined_on", "joined_on"),
        Index("ix_member_left_on", "left_on"),
        Index("ix_member_profession_category", "profession_category"),
        # The member list shows members not erased, in French alphabetical order of name or
        # organisation; partial indexes on that condition serve its sort, its deep pages and
        # its count.
        Index(
            "ix_member_sort_name",
            "sort_name",
            sqlite_where=text("erased_at IS NULL"),
            postgresql_where=text("erased_at IS NULL"),
        ),
        Index(
            "ix_member_sort_organisation",
            "sort_organisation",
            "sort_name",
            sqlite_where=text("erased_at IS NULL"),
            postgresql_where=text("erased_at IS NULL"),
        ),
        # Erased members are few: this index lets the list count everyone else at once.
        Index(
            "ix_member_erased",
            "erased_at",
            sqlite_where=text("erased_at IS NOT NULL"),
            postgresql_where=text("erased_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    # Lower-cased; NULL when unknown or erased (several NULLs are allowed by the unique index).
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    twitter: Mapped[str | None] = mapped_column(String(100))
    mastodon: Mapped[str | None] = mapped_column(String(200))
    linkedin: Mapped[str | None] = mapped_column(String(200))
    profession_category: Mapped[str] = mapped_column(String(32), default="autre")
    profession_text: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    age_bracket: Mapped[str | None] = mapped_column(String(16))
    postcode: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(100))
    joined_on: Mapped[date] = mapped_column(Date, default=date.today)
    left_on: Mapped[date | None] = mapped_column(Date)
    heard_from: Mapped[str | None] = mapped_column(String(200))
    consent_data_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_photos_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_newsletter_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    # Accent- and case-folded names, e-mail, handles and organisation, for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # French sort keys (coworking.collation): « Aubry Élise » before « Aubry Vincent ».
    sort_name: Mapped[str] = mapped_column(sort_key_type(), default="", server_default="")
    sort_organisation: Mapped[str] = mapped_column(sort_key_type(), default="", server_default="")
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="member",
        cascade="all, delete-orphan",
        order_by="Membership.starts_on.desc()",
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def __repr__(self) -> str:
        return f"<Member {self.id}>"


class MembershipPlan(Model):
    __tablename__ = "membership_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # day_pass, ten_day_card, monthly, annual, association_fee
    kind: Mapped[str] = mapped_column(String(32))
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Membership(Model):
    __tablename__ = "membership"
    __table_args__ = (
        Index("ix_membership_period", "starts_on", "ends_on"),
        # "Active in a month" looks for memberships ending after the month starts: this index
        # answers it from recent rows only, whatever the length of the history.
        Index("ix_membership_active", "ends_on", "starts_on", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("membership_plan.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    amount_paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    paid_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[Member] = relationship(back_populates="memberships")
    plan: Mapped[MembershipPlan] = relationship()


class RetentionSetting(Model):
    """The one row saying after how many years members who left are erased (GDPR)."""

    __tablename__ = "member_retention_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    years: Mapped[int] = mapped_column(Integer, default=3)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MemberImportPreview(Model):
    """An uploaded members file between its preview and its confirmation, confirmed once.

    The confirm form carries only the random id. Confirming sets ``confirmed_at`` and drops
    the bytes in the transaction that writes the members, so a replayed confirmation finds
    it confirmed; the digest stays a while to warn when the same file comes again.
    """

    __tablename__ = "member_import_preview"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # The file as uploaded; NULL once confirmed.
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_by: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
