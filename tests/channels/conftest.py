"""Fixtures of the channel tests."""

import pytest

from mapper.channels.sms.service import cached_gazetteer
from mapper.extensions import db
from mapper.sample import load_help_services, load_places


@pytest.fixture
def places(db_session):
    """The sample gazetteer and help services, read afresh by the SMS parser."""
    load_places()
    load_help_services()
    db.session.commit()
    cached_gazetteer.clear()
    yield
    cached_gazetteer.clear()
