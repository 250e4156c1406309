"""HTTP Digest and Basic sign-in for device clients (ODK Collect, KoboCollect), which cannot
keep a login cookie. Digest needs the account's HA1, stored when the password is set; Basic is
refused over plain HTTP unless the deployment allows it (for development only)."""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.datastructures import WWWAuthenticate

from mapper.auth.accounts import authenticate, find_user
from mapper.auth.passwords import DIGEST_REALM as REALM
from mapper.errors import MapperError
from mapper.models import User

NONCE_SECONDS = 300


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _signature(stamp: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"nonce:{stamp}".encode(), hashlib.sha256).hexdigest()[:32]


def new_nonce() -> str:
    """A nonce the server can check without keeping it: a time stamp and its signature."""
    stamp = str(int(time.time()))
    return f"{stamp}-{_signature(stamp)}"


def nonce_state(nonce: str) -> str:
    """'fresh', 'stale' (signed by us but old: the client retries at once) or 'bad'."""
    stamp, _sep, signature = (nonce or "").partition("-")
    if not stamp.isdigit() or not hmac.compare_digest(signature, _signature(stamp)):
        return "bad"
    return "fresh" if time.time() - int(stamp) <= NONCE_SECONDS else "stale"


class SignInNeeded(MapperError):
    status = 401

    def __init__(self, stale: bool = False):
        super().__init__(_("Sign in with a volunteer account."), "Authorization")
        self.stale = stale

    def challenges(self) -> list[WWWAuthenticate]:
        digest = WWWAuthenticate(
            "digest",
            {"realm": REALM, "qop": "auth", "nonce": new_nonce(), "algorithm": "MD5"},
        )
        if self.stale:
            digest.parameters["stale"] = "TRUE"
        challenges = [digest]
        if basic_allowed():
            challenges.append(WWWAuthenticate("basic", {"realm": REALM}))
        return challenges


def basic_allowed() -> bool:
    return request.is_secure or current_app.config["MAPPER_OPENROSA_BASIC_OVER_HTTP"]


def _digest_user(auth) -> User:
    user = find_user(auth.username or "")
    state = nonce_state(auth.nonce or "")
    if state != "fresh":
        raise SignInNeeded(stale=state == "stale")
    if user is None or not user.active or not user.digest_ha1 or auth.realm != REALM:
        raise SignInNeeded()
    ha2 = _md5(f"{request.method}:{auth.uri}")
    if auth.qop:
        expected = _md5(f"{user.digest_ha1}:{auth.nonce}:{auth.nc}:{auth.cnonce}:{auth.qop}:{ha2}")
    else:
        expected = _md5(f"{user.digest_ha1}:{auth.nonce}:{ha2}")
    if not hmac.compare_digest(expected, auth.response or ""):
        raise SignInNeeded()
    return user


def device_user() -> User:
    """The account the request signs in with, or SignInNeeded (401 with the challenges)."""
    auth = request.authorization
    if auth is None:
        raise SignInNeeded()
    if auth.type == "digest":
        return _digest_user(auth)
    if auth.type == "basic" and basic_allowed():
        user = authenticate(auth.username or "", auth.password or "")
        if user is not None:
            return user
    raise SignInNeeded()
