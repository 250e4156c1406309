"""Report records for exports and feature services: public ones through the gate, full ones by
permission, read in batches so that a million rows stream in constant memory."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Date, Select, cast, func, select

from mapper.extensions import db
from mapper.models import PUBLIC_STATUSES, Report
from mapper.query.filters import ReportFilters, filter_clauses
from mapper.query.grid import Audience
from mapper.query.public import public_select, report_columns

BATCH = 2000
PUBLIC = Audience(PUBLIC_STATUSES, exact=False)


def _full_select(statuses: tuple[str, ...]) -> Select:
    columns = (*report_columns(Report.location), Report.received_at.label("received"))
    return select(*columns).where(Report.status.in_(statuses))


def records_select(filters: ReportFilters, audience: Audience = PUBLIC) -> Select:
    """The matching records, oldest report first; filters act on the point the viewer sees.

    The public (`audience.exact` false) read through the privacy gate, whatever else is asked.
    """
    if audience.exact:
        stmt = _full_select(audience.statuses)
        clauses = filter_clauses(filters, Report.location)
    else:
        # The public learn the day a report arrived, never the hour.
        received = cast(func.timezone("UTC", Report.received_at), Date).label("received")
        stmt = public_select().add_columns(received)
        clauses = filter_clauses(filters, Report.public_location)
    return stmt.where(*clauses).order_by(Report.id)


def count_records(filters: ReportFilters, audience: Audience = PUBLIC) -> int:
    inner = records_select(filters, audience).order_by(None).with_only_columns(Report.id)
    return db.session.execute(select(func.count()).select_from(inner.subquery())).scalar_one()


def stream_records(stmt: Select) -> Iterator:
    """Rows of `stmt` from a server-side cursor, BATCH at a time."""
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    try:
        yield from result
    finally:
        result.close()
