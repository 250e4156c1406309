"""SMS: raw inbound messages (stored before anything else), the outbound queue, and the
offline gazetteer and help services that parsing and HELP replies use."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from mapper.extensions import db

INBOUND_STATUSES = ("received", "parsed", "needs_location", "keyword", "failed")
OUTBOUND_STATUSES = ("queued", "sent", "failed")


class InboundMessage(db.Model):
    """One provider message, once: (provider, external_id) is unique.

    The sender's number is not kept here: only a keyed digest (to group a conversation
    and spot repeats) and a link to the private contact row.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("provider", "external_id"),
        CheckConstraint(
            f"status IN ({', '.join(repr(s) for s in INBOUND_STATUSES)})", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    sender_key: Mapped[str] = mapped_column(String(64), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("reporter_contacts.id"))
    recipient: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="received")
    probable_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    reply: Mapped[str | None] = mapped_column(Text)


class OutboundMessage(db.Model):
    __tablename__ = "outbound_messages"
    __table_args__ = (
        CheckConstraint(
            f"status IN ({', '.join(repr(s) for s in OUTBOUND_STATUSES)})", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    provider: Mapped[str] = mapped_column(String(32), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("reporter_contacts.id"))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Place(db.Model):
    """A gazetteer entry with its name variants (any language or script)."""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    variants: Mapped[list] = mapped_column(JSONB, default=list)
    admin_area: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))


class HelpService(db.Model):
    """Shelters, hotlines and legal aid that a HELP message is pointed to."""

    __tablename__ = "help_services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2), index=True)
    national_hotline: Mapped[bool] = mapped_column(Boolean, default=False)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
