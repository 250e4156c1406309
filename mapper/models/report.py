"""Reports and the private contact data of their reporters."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mapper.extensions import db
from mapper.models.category import Category, report_categories

REPORT_SOURCES = ("web", "api", "sms", "volunteer", "odk", "import")
REPORT_STATUSES = ("pending", "published", "verified", "rejected", "archived")
# The one rule of what the public may see; every public query uses it.
PUBLIC_STATUSES = ("published", "verified")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# Expression indexes over (lon, lat, event day) and over (grid column, grid row, event date)
# made by migrations 0006, 0014 and 0015; the model cannot declare them in a form the schema
# comparison reads back alike.
MAP_EXPRESSION_INDEXES = (
    "ix_reports_public_xyt",
    "ix_reports_exact_xyt",
    "ix_reports_public_cells",
    "ix_reports_exact_cells",
)


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(_in("source", REPORT_SOURCES), name="source"),
        CheckConstraint(_in("status", REPORT_STATUSES), name="status"),
        # A public point only beside an exact one; none at all when the form hides locations.
        CheckConstraint(
            "(location IS NULL AND public_location IS NULL) OR (location IS NOT NULL AND "
            "(public_location IS NULL) = location_hidden)",
            name="public_location_present",
        ),
        # Serves event-date filters and the (occurred_at, id) keyset pagination.
        Index("ix_reports_occurred_at_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    reference: Mapped[str] = mapped_column(String(8), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    public_location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    location_accuracy_m: Mapped[float | None] = mapped_column(Float)
    place_name: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    custom_answers: Mapped[dict] = mapped_column(JSONB, default=dict)
    # Per-report secret that seeds the deterministic public displacement.
    mask_seed: Mapped[bytes] = mapped_column(LargeBinary(16))
    idempotency_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # Optimistic locking: every moderation change must name the version it started from.
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Asked for help (e.g. the SMS HELP keyword): shown first in the review queue.
    urgent: Mapped[bool] = mapped_column(Boolean, server_default="false")
    # H3 cells (resolution H3_RESOLUTION) of the public and the exact point, for hotspots.
    h3_public: Mapped[int | None] = mapped_column(BigInteger)
    h3_exact: Mapped[int | None] = mapped_column(BigInteger)
    # Reports made from a volunteer form: the version answered, and the account that sent it.
    form_version_id: Mapped[int | None] = mapped_column(ForeignKey("form_versions.id"))
    # Set by the form: public outputs get no point at all, or only the day of the event
    # (occurred_at is then that day at noon UTC; the exact time stays in the form's answers).
    location_hidden: Mapped[bool] = mapped_column(Boolean, server_default="false")
    time_hidden: Mapped[bool] = mapped_column(Boolean, server_default="false")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The ids of `categories`, in order; written by the database's triggers on the links
    # (migration 0015) so that map queries read them with the point, from the column indexes.
    category_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{}")

    categories: Mapped[list[Category]] = relationship(
        secondary=report_categories, order_by=Category.position
    )
    contact: Mapped[ReporterContact | None] = relationship(
        back_populates="report", uselist=False, cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Report {self.reference} {self.status}>"


class ReporterContact(db.Model):
    """Private: never serialised by any public code path."""

    __tablename__ = "reporter_contacts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # Null for a sender known only from a message that made no report (e.g. STATUS).
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    report: Mapped[Report | None] = relationship(back_populates="contact")

    def __repr__(self) -> str:
        return f"<ReporterContact for report {self.report_id}>"
