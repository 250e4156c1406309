"""The page of a moderation list a request asks for."""

from __future__ import annotations

# Past the last page a list is empty; past this one the offset would overflow the database's
# integers (the queue holds 50 reports a page).
MAX_PAGE = 1_000_000


def page_number(args) -> int:
    """`page` from the query string: 1 when absent or not a whole number, at most MAX_PAGE."""
    return min(max(1, args.get("page", 1, type=int) or 1), MAX_PAGE)
