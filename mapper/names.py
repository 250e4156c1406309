"""The names people read for stored values (report statuses, sources, moderation actions,
the fields the audit trail records) in the visitor's language; the stored value stays the
key."""

from __future__ import annotations

from flask_babel import gettext as _


def status_names() -> dict[str, str]:
    return {
        "pending": _("Pending"),
        "published": _("Published"),
        "verified": _("Verified"),
        "rejected": _("Rejected"),
        "archived": _("Archived"),
    }


def source_names() -> dict[str, str]:
    return {
        "web": _("Web form"),
        "sms": _("SMS"),
        "volunteer": _("Volunteers"),
        "api": _("API"),
        "odk": _("ODK"),
        "import": _("Import"),
    }


def action_names() -> dict[str, str]:
    """Moderation actions, and the audit trail's events of them ("create": a report came in)."""
    return {
        "create": _("Received"),
        "publish": _("Publish"),
        "verify": _("Verify"),
        "reject": _("Reject"),
        "archive": _("Archive"),
        "restore": _("Restore"),
        "merge": _("Merge"),
        "edit": _("Edit"),
    }


def field_names() -> dict[str, str]:
    """The report fields whose changes the audit trail records."""
    return {
        "status": _("Status"),
        "title": _("Title"),
        "description": _("Description"),
        "occurred_at": _("Happened on"),
        "place_name": _("Place"),
        "location": _("Exact location"),
        "categories": _("Categories"),
        "merged_into_id": _("Merged into"),
    }


def template_names() -> dict:
    """`status_name`, `source_name`, `action_name` and `field_name` for templates: a value's
    name, or the value itself where it has none."""
    return {
        f"{kind}_name": (lambda value, names=names: names().get(value, value))
        for kind, names in (
            ("status", status_names),
            ("source", source_names),
            ("action", action_names),
            ("field", field_names),
        )
    }
