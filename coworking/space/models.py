"""The space itself: its profile, governance, budget, and the coworking attendance log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coworking.database import UTCDateTime, utcnow
from coworking.extensions import Model


class CheckIn(Model):
    """A visit on a day: a member's (one a day) or a one-off visitor's by name."""

    __tablename__ = "check_in"
    __table_args__ = (UniqueConstraint("member_id", "day", name="uq_check_in_member_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    visitor_name: Mapped[str | None] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date, index=True)
    # "full" or "half"
    duration: Mapped[str] = mapped_column(String(8), default="full")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(254))


class SpaceProfile(Model):
    """The one row describing the space (identity, venue, staff)."""

    __tablename__ = "space_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    short_name: Mapped[str | None] = mapped_column(String(100))
    legal_form: Mapped[str | None] = mapped_column(String(100))
    siret: Mapped[str | None] = mapped_column(String(14))
    address: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(100))
    founded_on: Mapped[date | None] = mapped_column(Date)
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    surface_m2: Mapped[int | None] = mapped_column(Integer)
    desks: Mapped[int | None] = mapped_column(Integer)
    meeting_rooms: Mapped[int | None] = mapped_column(Integer)
    # {"0": "9h–19h", ... "6": ""} Monday = 0; empty = closed.
    opening_hours: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    internet: Mapped[str | None] = mapped_column(String(200))
    accessibility: Mapped[str | None] = mapped_column(Text)
    prices: Mapped[str | None] = mapped_column(Text)
    day_pass_offered: Mapped[bool] = mapped_column(default=False)
    staff_fte: Mapped[float | None] = mapped_column(Float)
    volunteers: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    logo_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BoardMember(Model):
    __tablename__ = "board_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class GeneralAssembly(Model):
    __tablename__ = "general_assembly"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    members_present: Mapped[int] = mapped_column(Integer, default=0)
    members_represented: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str | None] = mapped_column(Text)


class BudgetLine(Model):
    """One line of a yearly budget; income lines carry their source."""

    __tablename__ = "budget_line"
    __table_args__ = (Index("ix_budget_line_year", "year", "direction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    # "income" or "expense"
    direction: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(100))
    # for income: memberships, day_passes, room_hire, subsidies, sponsorship, other
    source: Mapped[str | None] = mapped_column(String(32))
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
