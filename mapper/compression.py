"""Answers, scripts and styles sent compressed to clients that ask: field connections are slow
and metered. What could let an observer of sizes read a secret is sent as it is."""

from __future__ import annotations

from flask import Flask, Response, session

from mapper.extensions import compress


def init_app(app: Flask) -> None:
    compress.init_app(app)
    app.after_request(_compressed)


def _compressed(response: Response) -> Response:
    """`response` compressed for the client, unless it was made for a signed-in session."""
    # A page another site opens in a signed-in browser would carry the session's own data
    # (exact locations, contacts) next to text that site chose: compressed sizes would let an
    # observer of the traffic guess that data a byte at a time (BREACH). Partner tokens are
    # sent by their holders' own programs, never by a browser on another site's behalf.
    # The sign-in is read from the session (where sign-in puts the account id), so that
    # answering for a file does not load the account.
    if "_user_id" in session:
        return response
    return compress.after_request(response)
