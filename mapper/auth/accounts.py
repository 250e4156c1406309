"""Account actions: create, change role, disable, authenticate, end sessions."""

from __future__ import annotations

from datetime import UTC, datetime

import phonenumbers
from flask_babel import gettext as _
from sqlalchemy import select

from mapper.auth.passwords import (
    MIN_LENGTH,
    digest_ha1,
    hash_password,
    needs_rehash,
    verify_password,
)
from mapper.errors import ValidationFailed
from mapper.extensions import db
from mapper.models import ROLES, User
from mapper.models.user import new_session_token


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, password: str, role: str) -> User:
    problems = []
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        problems.append(("email", _("Not a valid email address.")))
    elif find_user(email) is not None:
        problems.append(("email", _("An account with this email already exists.")))
    if role not in ROLES:
        problems.append(("role", _("Unknown role.")))
    if len(password) < MIN_LENGTH:
        problems.append(("password", _("Use at least %(n)d characters.", n=MIN_LENGTH)))
    if problems:
        raise ValidationFailed(problems)
    user = User(
        email=email,
        password_hash=hash_password(password),
        digest_ha1=digest_ha1(email, password),
        role=role,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_role(user: User, role: str) -> None:
    if role not in ROLES:
        raise ValidationFailed([("role", _("Unknown role."))])
    user.role = role
    end_sessions(user)


def set_phone(user: User, phone: str) -> None:
    """Register (or with an empty text remove) the account's phone, kept in E.164."""
    if not phone.strip():
        user.phone = None
        return
    try:
        number = phonenumbers.parse(phone, None)
        valid = phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        raise ValidationFailed(
            [("phone", _("Give the number in international form, e.g. +855 12 345 678."))]
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if db.session.scalar(select(User.id).where(User.phone == e164, User.id != user.id)):
        raise ValidationFailed([("phone", _("Another account has this number."))])
    user.phone = e164


def set_active(user: User, active: bool) -> None:
    user.active = active
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Every login cookie of this account stops working at its next request."""
    user.session_token = new_session_token()


def authenticate(email: str, password: str) -> User | None:
    """The active account with these credentials, or None (same cost either way)."""
    user = find_user(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.digest_ha1 is None:  # accounts made before device sign-in existed
        user.digest_ha1 = digest_ha1(user.email, password)
    user.last_login_at = datetime.now(UTC)
    return user


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session token, so ended sessions fail here."""
    raw_id, _sep, token = user_id.partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user
