"""The consent service's HTTP contract: consents, policies, transfers, notices, decisions."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field

from ac_contracts.common import Line, SubjectId, Timestamp
from ac_contracts.pagination import ListQuery, Page
from ac_events.catalogue import (
    DataCategory,
    DecisionReason,
    DecisionRef,
    LegalBasis,
    PolicyTexts,
    Purpose,
    PurposeChange,
    Recipient,
    Region,
    SensitiveCategory,
    UseBasis,
    ViewPosition,
)
from ac_events.catalogue.vocab import Sha256

MAX_BATCH = 10_000
"""Decisions in one batch request."""

# ---------------------------------------------------------------- a person's commands


class GrantBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: Purpose
    recipient: Recipient = "*"
    """An organisation id, or `*` (inside the company; never a third party)."""
    region: Region = "JP"
    data_categories: list[DataCategory] = Field(default_factory=list, max_length=20)
    sensitive_categories: list[SensitiveCategory] = Field(default_factory=list, max_length=20)
    """Special care-required categories this consent names (to acquire or share them)."""
    policy_version: str = Field(min_length=1, max_length=40)
    """The privacy policy version the person was shown."""
    policy_text_sha256: Sha256 | None = None
    """The SHA-256 of the text shown (`GET /v1/policy`), if the client keeps it: it must be
    that version's. The consent records it either way."""
    country_notice_sha256: Sha256 | None = None
    """The country notice the person was shown: required outside JP."""
    channel: str = Field(default="web", max_length=40, pattern=r"^[a-z_]+$")


class Recorded(BaseModel):
    event_ids: list[UUID]
    position: ViewPosition


class Granted(Recorded):
    consent_id: UUID


class ObjectionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    transfer_id: UUID


# ---------------------------------------------------------------- staff


class PolicyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    policy_version: str = Field(min_length=1, max_length=40)
    effective_at: Timestamp
    changes: list[PurposeChange] = Field(default_factory=list)
    """Per purpose: changed or not, significant (needs a new choice) or not."""
    texts: PolicyTexts
    """The full text, Markdown, in Japanese and English."""
    text_sha256: Sha256 | None = None
    """If given, it must be the texts' SHA-256 (`ac_events.catalogue.policy_text_sha256`)."""


class Published(BaseModel):
    event_id: UUID


class TransferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    acquirer: Recipient
    acquirer_name: Line = Field(min_length=1, max_length=200)
    purposes: list[Purpose] = Field(min_length=1)
    opt_out_deadline: Timestamp


class Announced(Published):
    transfer_id: UUID


class NoticeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: Region
    country_name: Line = Field(min_length=1, max_length=200)
    protection_system: str = Field(min_length=1, max_length=20_000)
    """Information on the country's system for the protection of personal information."""
    recipient_measures: str = Field(min_length=1, max_length=20_000)
    """The measures the recipient takes to protect personal information."""

    def sha256(self) -> str:
        """What the notice is known by: the SHA-256 of its content (JSON, sorted keys)."""
        return hashlib.sha256(
            orjson.dumps(self.model_dump(), option=orjson.OPT_SORT_KEYS)
        ).hexdigest()


class Notice(NoticeBody):
    notice_sha256: Sha256


class NoticeQuery(BaseModel):
    country: Region = Field(description="ISO 3166-1 alpha-2 code of the recipient's country")


class TransferOut(BaseModel):
    transfer_id: UUID
    acquirer: str
    purposes: list[Purpose]
    opt_out_deadline: datetime


class PolicyState(BaseModel):
    versions: list[str]
    """In publication order."""
    significant_since: dict[Purpose, str]
    """Per purpose, the version whose change made earlier consents insufficient."""
    transfers: list[TransferOut]


# ---------------------------------------------------------------- decisions


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject_id: SubjectId
    purpose: Purpose
    recipient: Recipient
    region: Region
    data_categories: list[DataCategory] = Field(default_factory=list, max_length=20)
    sensitive_categories: list[SensitiveCategory] = Field(default_factory=list, max_length=20)
    legal_basis: LegalBasis | None = None
    legal_reference: Line | None = Field(default=None, min_length=1, max_length=200)
    """A court order number or request id; required with a legal basis."""
    as_of: Timestamp | None = None
    """Decide as the log stood at this time (auditors), instead of now."""
    position: ViewPosition | None = None
    """Decide as the log stood at this view position (auditors), instead of now."""


class DecisionOut(BaseModel):
    decision: Literal["allow", "deny"]
    reason: DecisionReason
    consent_event_ids: list[UUID]
    position: ViewPosition
    rules_version: str
    """The version of the consent rules that decided (`ac_consent_rules.RULES_VERSION`)."""


class BatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requests: list[DecisionBody] = Field(min_length=1, max_length=MAX_BATCH)


class BatchOut(BaseModel):
    decisions: list[DecisionOut]


# ---------------------------------------------------------------- a person's page


class PageQuery(BaseModel):
    """Read a person's page as the log stood at a time and/or a position (default: now)."""

    as_of_time: Timestamp | None = Field(default=None, description="As the log stood at this time")
    subject_version: int | None = Field(
        default=None, ge=0, description="Up to this version of the person's stream"
    )
    policies_version: int | None = Field(
        default=None, ge=0, description="Up to this version of the policies stream"
    )


class ConsentOut(BaseModel):
    consent_id: UUID
    event_id: UUID
    purpose: Purpose
    recipient: str
    region: str
    data_categories: list[DataCategory]
    sensitive_categories: list[SensitiveCategory]
    policy_version: str
    since: datetime
    status: Literal["active", "reconsent_required", "withdrawn"]
    withdrawn_event_id: UUID | None = None


class HistoryItem(BaseModel):
    event_id: UUID
    type: str
    at: datetime
    detail: dict[str, Any]


class DisclosureOut(BaseModel):
    disclosure_id: UUID
    shared_at: datetime
    purpose: Purpose
    organization_id: str
    recipient_legal_name: str
    recipient_country: str
    data_items: list[DataCategory]
    sensitive_items: list[SensitiveCategory]
    justification: dict[str, Any]


class ConsentPage(BaseModel):
    """A person's own page: consents, their history, and who received which data when."""

    subject_id: str
    as_of: datetime
    position: ViewPosition
    erased: bool
    consents: list[ConsentOut]
    objections: list[UUID]
    history: list[HistoryItem]
    disclosures: list[DisclosureOut]


# ---------------------------------------------------------------- uses of a person's data [E] #18


class UsesQuery(ListQuery):
    """A page of a person's uses, newest first; one purpose's only, if named."""

    purpose: Purpose | None = Field(default=None, description="Only the uses for this purpose")


class UseOut(BaseModel):
    """One use of a person's data (`MatchScored`, `NotificationSent`): the purpose it served
    and the decision (or basis) behind it."""

    event_id: UUID
    used_at: datetime
    what: str
    """`score` (against a vacancy), else the kind of message sent."""
    purpose: Purpose | None
    basis: UseBasis
    decision: DecisionRef | None
    """The consent decision that allowed it (reason, consent event ids, view position)."""


class UsesPage(Page[UseOut]):
    """A page of uses, and how many uses of each purpose the person's data served in all."""

    by_purpose: dict[str, int]
