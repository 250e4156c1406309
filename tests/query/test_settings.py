"""Planner settings changed for a few map statements only."""

from sqlalchemy import text

from mapper.extensions import db
from mapper.query.grid import configured_setting, local_settings


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


def test_the_configured_value_is_the_servers_not_the_transactions(db_session):
    configured = _setting("jit")
    db.session.execute(text("SET LOCAL jit = " + ("off" if configured == "on" else "on")))
    assert configured_setting("jit") == configured
