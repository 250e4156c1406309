"""JSON sent by clients: arrays or objects nested deeper than Python reads are malformed JSON
like any other, a ValueError that each reader answers with a 4xx, not a RecursionError."""

from __future__ import annotations

import json

from flask.json.provider import DefaultJSONProvider

TOO_DEEP = "JSON nested too deeply"


def loads(text: str | bytes, **kwargs):
    """`json.loads`, raising ValueError for nesting too deep to read."""
    try:
        return json.loads(text, **kwargs)
    except RecursionError:
        raise ValueError(TOO_DEEP) from None


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, so that `request.get_json()` refuses deep nesting as malformed too."""

    def loads(self, s: str | bytes, **kwargs):
        return loads(s, **kwargs)
