"""Values kept in memory per database: loaded on first use, kept for their time limit."""

from mapper.intake import places
from mapper.intake.places import Cached


def test_the_first_use_loads_whatever_the_clock_says(app, monkeypatch):
    # The monotonic clock may start near zero (a machine just booted): nothing kept yet must
    # still load, not hand back an empty value as if it were fresh.
    monkeypatch.setattr(places.time, "monotonic", lambda: 1.0)
    loads = []
    cached = Cached(lambda: loads.append(1) or "loaded", ttl=30.0)
    with app.app_context():
        assert cached() == "loaded"
        assert cached() == "loaded"
    assert len(loads) == 1


def test_a_value_is_loaded_again_after_its_time_or_when_out_of_date(app, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(places.time, "monotonic", lambda: now[0])
    loads = []
    cached = Cached(lambda: loads.append(1) or len(loads), ttl=30.0)
    with app.app_context():
        assert cached() == 1
        now[0] += 29
        assert cached() == 1
        assert cached(outdated=lambda kept: kept == 1) == 2
        now[0] += 31
        assert cached() == 3
