"""A partner organisation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coworking.collation import sort_key_type
from coworking.database import UTCDateTime, utcnow
from coworking.extensions import Model


class Partner(Model):
    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The French sort key of the name (coworking.collation): « École… » among the E.
    sort_name: Mapped[str] = mapped_column(
        sort_key_type(), default="", server_default="", index=True
    )
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
