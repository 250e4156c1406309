"""Who may do what: the one table every view consults, through can() and require()."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

ANONYMOUS = "anonymous"

READ_ALL = {"view_pending", "view_exact_location", "view_audit", "export_full", "view_inbox"}
MODERATE = {
    "view_contact",
    "view_private_answers",
    "edit_report",
    "publish",
    "verify",
    "reject",
    "archive",
    "restore",
    "merge",
    "reply_sms",
}
PERMISSIONS: dict[str, frozenset[str]] = {
    ANONYMOUS: frozenset(),
    "partner": frozenset(),
    "volunteer": frozenset({"submit_volunteer_report"}),
    # Analysts see every report and exact locations, read-only, and never contact data.
    "analyst": frozenset(READ_ALL),
    "moderator": frozenset(READ_ALL | MODERATE),
    "admin": frozenset(
        READ_ALL
        | MODERATE
        | {
            "manage_users",
            "manage_categories",
            "manage_partners",
            "manage_forms",
            "submit_volunteer_report",
        }
    ),
}
ALL_PERMISSIONS = frozenset().union(*PERMISSIONS.values())


def role_of(user) -> str:
    return user.role if user is not None and user.is_authenticated else ANONYMOUS


def can(user, permission: str) -> bool:
    """Whether `user` (or the anonymous visitor) holds `permission`."""
    if permission not in ALL_PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return permission in PERMISSIONS[role_of(user)]


def require(permission: str) -> Callable:
    """View decorator: sign-in page for visitors, 403 for accounts without `permission`."""
    if permission not in ALL_PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return redirect(url_for("auth.login", next=request.full_path))
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_permission = permission
        return guarded

    return decorate
