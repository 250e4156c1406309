"""Partner API tokens: made and revoked by admins, stored hashed, sent as `Bearer` tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from mapper.errors import MapperError, ValidationFailed
from mapper.extensions import db
from mapper.models import TOKEN_SCOPES, PartnerToken, User

PREFIX = "mpt_"
# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(label: str, scopes: list[str], actor: User | None) -> tuple[PartnerToken, str]:
    """A new token with `scopes`; the plain token is returned once and never stored."""
    label = (label or "").strip()
    problems = []
    if not label or len(label) > 120:
        problems.append(("label", _("Give a label of 1 to 120 characters.")))
    if not scopes or any(scope not in TOKEN_SCOPES for scope in scopes):
        problems.append(("scopes", _("Choose read, submit or both.")))
    if problems:
        raise ValidationFailed(problems)
    plain = PREFIX + secrets.token_urlsafe(32)
    token = PartnerToken(
        label=label,
        token_hash=_digest(plain),
        prefix=plain[: len(PREFIX) + 4],
        scopes=sorted(set(scopes)),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, plain


def revoke_token(token_id: int) -> None:
    db.session.execute(
        update(PartnerToken)
        .where(PartnerToken.id == token_id, PartnerToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def all_tokens() -> list[PartnerToken]:
    return list(db.session.scalars(select(PartnerToken).order_by(PartnerToken.created_at.desc())))


def _unauthorised(message: str) -> MapperError:
    return MapperError(message, "Authorization", 401)


def authenticate(header: str) -> PartnerToken:
    """The live token named by an `Authorization: Bearer` header, or a 401 naming the header."""
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _unauthorised(_("Send the token as: Authorization: Bearer <token>."))
    token = db.session.scalar(
        select(PartnerToken).where(PartnerToken.token_hash == _digest(value.strip()))
    )
    if token is None or token.revoked_at is not None:
        raise _unauthorised(_("This token is not valid or has been revoked."))
    now = datetime.now(UTC)
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    return token


def require_scope(token: PartnerToken, scope: str) -> None:
    if scope not in token.scopes:
        raise MapperError(
            _("This token may not %(what)s.", what=_("read") if scope == "read" else _("submit")),
            "Authorization",
            403,
        )
