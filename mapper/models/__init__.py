"""SQLAlchemy models, one module per aggregate."""

from mapper.models.audit import AUDIT_ACTIONS, AuditEvent
from mapper.models.category import Category, report_categories
from mapper.models.form import (
    FORM_AUDIENCES,
    Form,
    FormVersion,
    PendingUpload,
    Photo,
    form_volunteers,
)
from mapper.models.maps import map_cell_changes, map_cells, map_levels
from mapper.models.partner import (
    TOKEN_SCOPES,
    WEBHOOK_EVENTS,
    PartnerToken,
    Webhook,
    WebhookDelivery,
)
from mapper.models.report import (
    PUBLIC_STATUSES,
    REPORT_SOURCES,
    REPORT_STATUSES,
    Report,
    ReporterContact,
)
from mapper.models.sms import HelpService, InboundMessage, OutboundMessage, Place
from mapper.models.user import ROLES, User

__all__ = [
    "AUDIT_ACTIONS",
    "AuditEvent",
    "HelpService",
    "InboundMessage",
    "OutboundMessage",
    "Place",
    "ROLES",
    "User",
    "Category",
    "FORM_AUDIENCES",
    "Form",
    "FormVersion",
    "PendingUpload",
    "Photo",
    "form_volunteers",
    "PUBLIC_STATUSES",
    "REPORT_SOURCES",
    "REPORT_STATUSES",
    "Report",
    "ReporterContact",
    "report_categories",
    "map_cell_changes",
    "map_cells",
    "map_levels",
    "PartnerToken",
    "TOKEN_SCOPES",
    "WEBHOOK_EVENTS",
    "Webhook",
    "WebhookDelivery",
]
