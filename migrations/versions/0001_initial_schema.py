"""Initial schema: PostGIS, reports with exact and public locations, contacts, categories.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def point_column(name):
    return sa.Column(
        name,
        Geometry(geometry_type="POINT", srid=4326, dimension=2, spatial_index=False,
                 from_text="ST_GeomFromEWKT", name="geometry"),
        nullable=True,
    )


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")

    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("names", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["categories.id"],
                                name=op.f("fk_categories_parent_id_categories")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    op.create_index(op.f("ix_categories_parent_id"), "categories", ["parent_id"])

    op.create_geospatial_table(
        "reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("reference", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        point_column("location"),
        point_column("public_location"),
        sa.Column("location_accuracy_m", sa.Float(), nullable=True),
        sa.Column("place_name", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("custom_answers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("mask_seed", sa.LargeBinary(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=300), nullable=True),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=True),
        sa.CheckConstraint("source IN ('web', 'api', 'sms', 'volunteer', 'odk', 'import')",
                           name=op.f("ck_reports_source")),
        sa.CheckConstraint(
            "status IN ('pending', 'published', 'verified', 'rejected', 'archived')",
            name=op.f("ck_reports_status"),
        ),
        sa.CheckConstraint("(location IS NULL) = (public_location IS NULL)",
                           name=op.f("ck_reports_public_location_present")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_reports_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_reports_reference")),
    )
    op.create_geospatial_index("idx_reports_location", "reports", ["location"],
                               postgresql_using="gist", postgresql_ops={})
    op.create_geospatial_index("idx_reports_public_location", "reports", ["public_location"],
                               postgresql_using="gist", postgresql_ops={})
    op.create_index("ix_reports_occurred_at_id", "reports", ["occurred_at", "id"])
    op.create_index(op.f("ix_reports_status"), "reports", ["status"])

    op.create_table(
        "report_categories",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], ondelete="RESTRICT",
                                name=op.f("fk_report_categories_category_id_categories")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE",
                                name=op.f("fk_report_categories_report_id_reports")),
        sa.PrimaryKeyConstraint("report_id", "category_id", name=op.f("pk_report_categories")),
    )
    op.create_index(op.f("ix_report_categories_category_id"), "report_categories",
                    ["category_id"])

    op.create_table(
        "reporter_contacts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE",
                                name=op.f("fk_reporter_contacts_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporter_contacts")),
        sa.UniqueConstraint("report_id", name=op.f("uq_reporter_contacts_report_id")),
    )


def downgrade():
    op.drop_table("reporter_contacts")
    op.drop_table("report_categories")
    op.drop_index(op.f("ix_reports_status"), table_name="reports")
    op.drop_index("ix_reports_occurred_at_id", table_name="reports")
    op.drop_geospatial_index("idx_reports_public_location", table_name="reports",
                             postgresql_using="gist", column_name="public_location")
    op.drop_geospatial_index("idx_reports_location", table_name="reports",
                             postgresql_using="gist", column_name="location")
    op.drop_geospatial_table("reports")
    op.drop_index(op.f("ix_categories_parent_id"), table_name="categories")
    op.drop_table("categories")
