"""Events of incident handling (APPI art. 26 and its rules) [B] #17: one stream per incident
(`desk-incident-<id>`), kept by the desk from its opening to its closing (docs/incidents.md).

What staff record of an incident names systems, recipients, categories and dates, never a
person; who is affected is computed from the log (the audit's replay) and each affected
person's notice is a fact of its own, under their pseudonymous id.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from ac_events.catalogue.base import Event, register
from ac_events.catalogue.vocab import DataCategory, Recipient


class ReportStage(StrEnum):
    PRELIMINARY = "preliminary"
    """The first report to the regulator, "promptly" (the service's target: 3 days)."""
    FINAL = "final"
    """The final report: 30 days from discovery (60 for an incident of unjust purpose)."""


class ReportReason(StrEnum):
    """Why an incident must be reported (the rules' four cases)."""

    SPECIAL_CARE = "special_care"
    FINANCIAL_HARM = "financial_harm"
    UNJUST_PURPOSE = "unjust_purpose"
    OVER_1000 = "over_1000"


class IncidentCloseReason(StrEnum):
    HANDLED = "handled"
    """Reported (when it had to be) and its people notified (or why not recorded)."""
    UNFOUNDED = "unfounded"
    """No personal data was in fact leaked, lost or damaged."""


@register
class IncidentOpened(Event):
    """Staff open an incident with what is known of it."""

    type: ClassVar[str] = "IncidentOpened"
    producer: ClassVar[str] = "desk"

    incident_id: UUID
    title: str = Field(min_length=1, max_length=200)
    started_at: datetime
    """When the incident began (the window's start)."""
    ended_at: datetime | None = None
    """When it ended (None: not known; the window runs to its discovery)."""
    discovered_at: datetime
    """When it was found: the deadlines run from here."""
    systems: tuple[str, ...] = ()
    """Which systems of ours (`smtp-relay`, `resumes-db`, …)."""
    recipients: tuple[Recipient, ...] = ()
    """Which recipients or processors (organisation ids) held the data that leaked."""
    data_categories: tuple[DataCategory, ...] = Field(min_length=1)
    encrypted: bool = False
    """The data was encrypted (with its key safe): not reportable for that reason alone."""
    cause: str = Field(default="", max_length=2000)
    financial_harm: bool = False
    """Data whose leak may cause financial harm (card numbers, bank credentials)."""
    unjust_purpose: bool = False
    """Caused with an unjust purpose (an attack, an insider's theft)."""
    opened_by: str


@register
class IncidentScoped(Event):
    """The affected people, computed from the log as of a cut: how many, by category, whether
    special-care data is involved, and whether the incident must be reported."""

    type: ClassVar[str] = "IncidentScoped"
    producer: ClassVar[str] = "desk"

    incident_id: UUID
    people: int = Field(ge=0)
    by_category: dict[str, int] = Field(default_factory=dict)
    """Data category -> how many affected people had data of it in the leak."""
    special_care: int = Field(default=0, ge=0)
    """How many affected people had special-care data in the leak."""
    provisions: int = Field(default=0, ge=0)
    """How many provisions of the log the affected set rests on."""
    log_as_of: datetime | None = None
    """The latest event of the log the scope read (the cut: an auditor recomputes from it)."""
    reportable: bool
    reasons: tuple[ReportReason, ...] = ()
    preliminary_due: datetime
    final_due: datetime
    scoped_by: str


@register
class IncidentDueSoon(Event):
    """A report due soon and not yet made: staff are warned (once per stage)."""

    type: ClassVar[str] = "IncidentDueSoon"
    producer: ClassVar[str] = "desk"

    incident_id: UUID
    stage: ReportStage
    due_at: datetime
    notify: tuple[str, ...] = ()


@register
class IncidentReported(Event):
    """A report made to the regulator (the document generated from the incident's record)."""

    type: ClassVar[str] = "IncidentReported"
    producer: ClassVar[str] = "desk"

    incident_id: UUID
    stage: ReportStage
    document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """The SHA-256 of the HTML document as generated."""
    reported_by: str
    late: bool = False


@register
class AffectedPersonNotified(Event):
    """The desk notifies a person the incident touched: the notifications service sends the
    message (kind `incident_notice`, its delivery recorded as `NotificationSent`)."""

    type: ClassVar[str] = "AffectedPersonNotified"
    producer: ClassVar[str] = "desk"

    incident_id: UUID
    subject_id: str = Field(min_length=1)
    title: str = Field(min_length=1, max_length=200)
    data_categories: tuple[DataCategory, ...] = ()
    """The person's categories in the leak."""
    special_care: bool = False


@register
class IncidentClosed(Event):
    type: ClassVar[str] = "IncidentClosed"
    producer: ClassVar[str] = "desk"

    incident_id: UUID
    reason: IncidentCloseReason
    no_notice_reason: str = Field(default="", max_length=2000)
    """Why affected people could not be notified (then: the public announcement made)."""
    public_announcement: str = Field(default="", max_length=2000)
    closed_by: str
