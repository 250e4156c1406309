"""Review actions on reports (publish, verify, reject, archive, restore, merge, edit)."""

from mapper.moderation.service import ACTIONS, apply_action, edit_report, record_event

__all__ = ["ACTIONS", "apply_action", "edit_report", "record_event"]
