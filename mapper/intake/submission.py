"""What a channel hands to intake (raw, untrusted) and what validation makes of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ContactInput:
    name: object = None
    phone: object = None
    email: object = None


@dataclass(frozen=True)
class Submission:
    """A report as a channel received it; values are untrusted until validated."""

    source: str
    title: object = None
    description: object = None
    occurred_at: object = None
    latitude: object = None
    longitude: object = None
    location_accuracy: object = None
    place_name: object = None
    categories: object = ()
    contact: ContactInput | None = None
    language: object = None
    custom_answers: dict = field(default_factory=dict)
    idempotency_key: str | None = None
    # Channels that know when a message was received (SMS gateways) pass it on.
    received_at: datetime | None = None
    # The reporter asked for help (e.g. the SMS HELP keyword): first in the review queue.
    urgent: bool = False
    # Volunteer forms: the form version answered and the signed-in account that sent it.
    form_version_id: int | None = None
    submitted_by_id: int | None = None
    # The form keeps the location, or the time of day, off every public output.
    hide_location: bool = False
    hide_time_of_day: bool = False
    # The place must be a town of the gazetteer, kept under the gazetteer's name: a public
    # form's reporter might otherwise type an address, which would be shown with the report.
    towns_only: bool = False


@dataclass(frozen=True)
class CleanContact:
    name: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class CleanReport:
    """A submission that passed validation, normalised and ready to store."""

    source: str
    title: str
    description: str
    occurred_at: datetime
    received_at: datetime
    latitude: float | None
    longitude: float | None
    location_accuracy: float | None
    place_name: str | None
    category_ids: tuple[int, ...]
    contact: CleanContact | None
    language: str | None
    custom_answers: dict
    urgent: bool = False
    form_version_id: int | None = None
    submitted_by_id: int | None = None
    hide_location: bool = False
    hide_time_of_day: bool = False
