"""Planner settings changed for a few map statements only, and map reads outside a
transaction."""

import pytest
from sqlalchemy import text

from mapper.extensions import db
from mapper.query.grid import begin_reads, custom_plans, local_settings


def _setting(name: str) -> str:
    return db.session.execute(text("SELECT current_setting(:name)"), {"name": name}).scalar()


def test_a_local_setting_holds_inside_and_the_earlier_value_returns_after(db_session):
    db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
    with local_settings({"enable_bitmapscan": "on"}):
        assert _setting("enable_bitmapscan") == "on"
    assert _setting("enable_bitmapscan") == "off"


def test_the_earlier_value_returns_when_the_block_raises(db_session):
    try:
        with local_settings({"enable_seqscan": "off"}):
            assert _setting("enable_seqscan") == "off"
            raise LookupError
    except LookupError:
        pass
    assert _setting("enable_seqscan") == "on"


def test_several_settings_change_and_return_together(db_session):
    db.session.execute(text("SET LOCAL work_mem = '7MB'"))
    with local_settings({"enable_sort": "off", "work_mem": "64MB", "enable_indexscan": "off"}):
        assert [_setting(n) for n in ("enable_sort", "work_mem", "enable_indexscan")] == [
            "off",
            "64MB",
            "off",
        ]
    assert [_setting(n) for n in ("enable_sort", "work_mem", "enable_indexscan")] == [
        "on",
        "7MB",
        "on",
    ]


def test_connections_sum_in_memory_and_compile_nothing(db_session):
    assert (_setting("work_mem"), _setting("jit")) == ("64MB", "off")


READ = text("SELECT count(*) FROM reports WHERE id > :low")


def _prepared_reads() -> list[str]:
    rows = db.session.execute(text("SELECT statement FROM pg_prepared_statements"))
    return [sql for sql in rows.scalars() if "FROM reports" in sql]


@pytest.mark.parametrize("custom", [True, False])
def test_a_read_planned_for_its_own_values_is_never_kept_prepared(db_session, custom):
    for low in range(7):  # more often than the driver runs a statement before preparing it
        if custom:
            with custom_plans():
                db.session.execute(READ, {"low": low})
        else:
            db.session.execute(READ, {"low": low})
    assert bool(_prepared_reads()) is not custom


@pytest.fixture
def own_session(app):
    """The app's own session on a connection of the pool, as a request has it."""
    with app.app_context():
        yield db.session
        db.session.remove()


def _in_transaction() -> bool:
    # The first statement of a transaction starts at the transaction's start; a statement
    # after BEGIN does not.
    sql = text("SELECT statement_timestamp() <> transaction_timestamp()")
    return db.session.execute(sql).scalar()


def test_map_reads_run_each_statement_on_its_own(own_session):
    begin_reads()
    assert not _in_transaction()
    with local_settings({"enable_seqscan": "off"}):
        assert _setting("enable_seqscan") == "off"
    # Set for the connection, and put back for the next statements (and requests) on it.
    assert _setting("enable_seqscan") == "on"
    assert not _in_transaction()


def test_a_request_already_in_a_transaction_keeps_it(own_session):
    db.session.execute(text("SELECT 1"))
    begin_reads()
    assert _in_transaction()
    with local_settings({"enable_seqscan": "off"}):
        assert _setting("enable_seqscan") == "off"
    assert _setting("enable_seqscan") == "on"


def test_the_connection_goes_back_to_the_pool_in_transactions_again(own_session):
    begin_reads()
    driver = db.session.connection().connection.driver_connection
    assert driver.autocommit
    db.session.remove()
    assert not driver.autocommit
