"""The audit service's HTTP contract: the report (what was replayed, each rule with its
findings, summaries) and one person's record.

The JSON form (`Report.model_dump_json()`) is for machines; the audit's `html.render`
turns the same object into one self-contained page for people.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ac_contracts.common import SubjectId, Timestamp


class Finding(BaseModel):
    """One breach of a rule, named by the event that shows it."""

    rule: str
    event_id: str | None
    stream_id: str | None
    subject_id: str | None
    topic: str | None = None
    detail: str


class RuleResult(BaseModel):
    name: str
    """A stable code: `disclosure_covered`, `record_complete`, ..."""
    title: str
    description: str
    checked: int
    """How many events (or streams) the rule looked at."""
    findings: list[Finding] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings


class Disclosure(BaseModel):
    """One provision (`DataShared`) as an auditor lists it."""

    event_id: str
    subject_id: str | None
    shared_at: datetime
    organization_id: str
    recipient_legal_name: str
    recipient_country: str
    purpose: str
    data_items: list[str]
    basis: Literal["consent", "legal"]


class TimelineEntry(BaseModel):
    at: datetime
    kind: str
    """`ConsentGranted`, `ConsentWithdrawn`, `TransferObjected`, `DataShared`,
    `DataShareBlocked`, `SubjectErased`, ..."""
    summary: str
    event_id: str


class Summary(BaseModel):
    events: int
    topics: dict[str, int]
    """Events replayed per topic."""
    people: int
    erased_people: int
    consents_granted: int
    consents_withdrawn: int
    disclosures: int
    blocked: int
    disclosures_per_recipient: dict[str, int]
    """Recipient legal name -> provisions."""
    disclosures_per_country: dict[str, int]
    """ISO 3166 country -> provisions."""
    disclosures_per_month: dict[str, int]
    """`YYYY-MM` -> provisions."""


class Report(BaseModel):
    generated_at: datetime
    rules_version: str = ""
    """The version of the consent rules the audit judged with (`ac_consent_rules`)."""
    until: datetime | None
    """Replayed up to this time (`null`: to the end of every topic)."""
    summary: Summary
    rules: list[RuleResult]
    disclosures: list[Disclosure]
    timeline_subject: str | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    """One person's consents and disclosures, when a subject was asked for."""

    @property
    def findings(self) -> int:
        return sum(len(r.findings) for r in self.rules)


class AuditQuery(BaseModel):
    until: Timestamp | None = Field(
        default=None, description="Replay only what was recorded by then"
    )
    subject: SubjectId | None = Field(
        default=None, description="Add this person's timeline to the report"
    )


class RecordQuery(BaseModel):
    as_of_time: Timestamp | None = Field(default=None, description="As the log stood then")


class SubjectRecord(BaseModel):
    """Everything about one person as of a time, from the log alone."""

    subject_id: str
    as_of: datetime | None
    erased: bool
    erased_at: datetime | None
    profile: dict[str, Any]
    """Their profile as the log holds it (`{"redacted": "erased"}` per field once erased)."""
    resume: dict[str, Any] | None
    consents: list[dict[str, Any]]
    """Standing consents at `as_of`."""
    withdrawn: list[dict[str, Any]]
    objections: list[str]
    history: list[dict[str, Any]]
    """Their consent events, in order."""
    provisions: list[dict[str, Any]]
    """Every `DataShared` of their data (the record of provision), in order."""
    blocked: list[dict[str, Any]]
