"""Argon2 password hashing, with equal work for unknown accounts (no user enumeration)."""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
# The realm of HTTP Digest sign-in for device clients (ODK Collect).
DIGEST_REALM = "mapper"
_hasher = PasswordHasher()
# Verified against when the account does not exist, so both paths cost one Argon2 run.
_DUMMY_HASH = _hasher.hash("mapper-no-such-account")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check `password`; with no hash (unknown account) spend the same time and say no."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def digest_ha1(email: str, password: str) -> str:
    """MD5(username:realm:password), which HTTP Digest (RFC 7616, MD5) checks responses with."""
    text = f"{email}:{DIGEST_REALM}:{password}"
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
