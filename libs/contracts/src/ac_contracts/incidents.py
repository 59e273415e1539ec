"""Incidents [B] #17: the desk's staff routes (open, scope, report, close) and the audit's
scope of an incident (who a leak touched, computed from the log alone)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from ac_contracts.common import OrgId, Timestamp
from ac_events.catalogue.incidents import IncidentCloseReason, ReportReason, ReportStage
from ac_events.catalogue.vocab import DataCategory


class ScopeQuery(BaseModel):
    """What leaked: the data of these categories held by these recipients (or processors),
    provided to them between `started_at` and `ended_at`."""

    recipients: list[OrgId] = Field(min_length=1, max_length=100)
    data_categories: list[DataCategory] = Field(min_length=1)
    started_at: Timestamp
    ended_at: Timestamp

    @model_validator(mode="after")
    def _ordered(self) -> ScopeQuery:
        if self.ended_at < self.started_at:
            raise ValueError("the window ends before it starts")
        return self


class Affected(BaseModel):
    """One affected person: the categories of theirs in the leak."""

    subject_id: str
    data_categories: list[DataCategory]
    special_care: bool
    """Special-care data of theirs was in the leak."""


class Scope(BaseModel):
    """Everyone whose data of those categories was provided to those recipients in the window
    and who was not erased before it, from the log as of `log_as_of`."""

    people: int
    by_category: dict[str, int]
    special_care: int
    """How many of them had special-care data in the leak."""
    provisions: int
    log_as_of: datetime | None
    affected: list[Affected]


class IncidentBody(BaseModel):
    """What staff know of an incident when they open it."""

    title: str = Field(min_length=1, max_length=200)
    started_at: Timestamp
    ended_at: Timestamp | None = None
    discovered_at: Timestamp
    systems: list[str] = Field(default_factory=list, max_length=20)
    recipients: list[OrgId] = Field(default_factory=list, max_length=100)
    data_categories: list[DataCategory] = Field(min_length=1)
    encrypted: bool = False
    cause: str = Field(default="", max_length=2000)
    financial_harm: bool = False
    unjust_purpose: bool = False


class ReportBody(BaseModel):
    stage: ReportStage


class CloseIncidentBody(BaseModel):
    reason: IncidentCloseReason = IncidentCloseReason.HANDLED
    no_notice_reason: str = Field(default="", max_length=2000)
    public_announcement: str = Field(default="", max_length=2000)


class ReportOut(BaseModel):
    stage: ReportStage
    at: datetime
    document_sha256: str
    late: bool


class IncidentOut(BaseModel):
    incident_id: UUID
    status: str
    """`open`, `scoped`, `closed`."""
    title: str
    started_at: datetime
    ended_at: datetime | None
    discovered_at: datetime
    systems: list[str]
    recipients: list[str]
    data_categories: list[DataCategory]
    encrypted: bool
    cause: str
    financial_harm: bool
    unjust_purpose: bool
    people: int | None = None
    by_category: dict[str, int] = Field(default_factory=dict)
    special_care: int = 0
    log_as_of: datetime | None = None
    reportable: bool | None = None
    """None until scoped."""
    reasons: list[ReportReason] = Field(default_factory=list)
    preliminary_due: datetime
    final_due: datetime
    reports: list[ReportOut] = Field(default_factory=list)
    warned: list[ReportStage] = Field(default_factory=list)
    """The stages whose deadline staff were warned of."""
    notified: int = 0
    closed_at: datetime | None = None
    scoping: bool = False
    """A scope is being computed (the audit replays the log)."""
    scope_failed: str | None = None
    """Why the last scope failed (a reason code or the error's type); ask again."""


class IncidentListed(BaseModel):
    incident_id: UUID
    title: str
    status: str
    discovered_at: datetime
    reportable: bool | None
    people: int | None
    next_due: datetime | None
    """The next report's deadline (None: nothing more to report)."""
