"""Volunteer forms: each edit makes a new version, so that old answers stay readable; photos
uploaded with answers; OpenRosa submissions held while their parts arrive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mapper.extensions import db

# Who may submit a form: anyone (also by token URL in ODK), every volunteer, or named ones.
FORM_AUDIENCES = ("public", "volunteers", "named")

form_volunteers = Table(
    "form_volunteers",
    db.metadata,
    Column("form_id", ForeignKey("forms.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Form(db.Model):
    __tablename__ = "forms"
    __table_args__ = (
        CheckConstraint(
            f"audience IN ({', '.join(repr(a) for a in FORM_AUDIENCES)})", name="audience"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Short upper-case code: the XForm id and the first word of a compact SMS.
    code: Mapped[str] = mapped_column(String(10), unique=True)
    # The form's name by language code (en is always present).
    names: Mapped[dict] = mapped_column(JSONB)
    audience: Mapped[str] = mapped_column(String(16), default="volunteers")
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=True)
    # Public outputs of this form's reports: no point at all, or the day without the hour.
    hide_location: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_time_of_day: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Secret path segment through which ODK Collect submits a public form without an account.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    versions: Mapped[list[FormVersion]] = relationship(
        back_populates="form",
        order_by="FormVersion.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    volunteers = relationship("User", secondary=form_volunteers)

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.code

    @property
    def current(self) -> FormVersion:
        return self.versions[-1]

    def __repr__(self) -> str:
        return f"<Form {self.code}>"


class FormVersion(db.Model):
    """A form's fields as they were: never changed once answers may refer to them."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    fields: Mapped[list] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    form: Mapped[Form] = relationship(back_populates="versions")

    def __repr__(self) -> str:
        return f"<FormVersion {self.form_id} v{self.number}>"


class Photo(db.Model):
    """A re-encoded upload, stored under a random name outside static/."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # Random file name (with extension) and the name answers use to refer to the photo.
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of the upload as it came, which the report's answer names.
    digest: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str | None] = mapped_column(String(40))
    # The answer of a private field: moderators and above only.
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PendingUpload(db.Model):
    """A part of an OpenRosa submission sent in several requests, kept until the last one."""

    __tablename__ = "pending_uploads"
    __table_args__ = (UniqueConstraint("instance_id", "filename"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(100), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
