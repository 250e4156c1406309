"""SQLAlchemy models, one module per aggregate."""

from mapper.models.category import Category, report_categories
from mapper.models.report import (
    PUBLIC_STATUSES,
    REPORT_SOURCES,
    REPORT_STATUSES,
    Report,
    ReporterContact,
)

__all__ = [
    "Category",
    "PUBLIC_STATUSES",
    "REPORT_SOURCES",
    "REPORT_STATUSES",
    "Report",
    "ReporterContact",
    "report_categories",
]
