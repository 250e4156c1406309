"""Report categories: a two-level taxonomy with names per language."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mapper.extensions import db

report_categories = Table(
    "report_categories",
    db.metadata,
    Column("report_id", BigInteger, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "category_id",
        Integer,
        ForeignKey("categories.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    names: Mapped[dict] = mapped_column(JSONB, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Words that point to this category in free text, per language: {"en": [...], ...}.
    keywords: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="Category.position"
    )

    def name(self, language: str) -> str:
        """Return the name in `language`, falling back to English, then the slug."""
        return self.names.get(language) or self.names.get("en") or self.slug

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"
