"""Events of the matching service: vacancies, scores, applications and the record
of every provision of personal data to a third party."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ac_events.catalogue.base import Event, Personal, register
from ac_events.catalogue.consent import ViewPosition
from ac_events.catalogue.retention import RecordKind, RecordsRemoved
from ac_events.catalogue.vocab import (
    DataCategory,
    DecisionReason,
    LegalBasis,
    Purpose,
    Region,
    SensitiveCategory,
    Sha256,
)


@register
class VacancyPosted(Event):
    type: ClassVar[str] = "VacancyPosted"
    producer: ClassVar[str] = "matching"

    vacancy_id: UUID
    organization_id: str = Field(min_length=1)
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    skills: tuple[str, ...] = ()
    location_country: Region


@register
class VacancyClosed(Event):
    type: ClassVar[str] = "VacancyClosed"
    producer: ClassVar[str] = "matching"

    vacancy_id: UUID


@register
class MatchScored(Event):
    type: ClassVar[str] = "MatchScored"
    producer: ClassVar[str] = "matching"

    vacancy_id: UUID
    score: float
    method: str = Field(min_length=1, max_length=40)


@register
class ApplicationSubmitted(Event):
    type: ClassVar[str] = "ApplicationSubmitted"
    producer: ClassVar[str] = "matching"

    application_id: UUID
    vacancy_id: UUID
    organization_id: str = Field(min_length=1)


class DecisionRef(BaseModel):
    """The consent decision a provision relied on, as the consent service gave it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    reason: DecisionReason
    consent_event_ids: tuple[UUID, ...] = Field(min_length=1)
    position: ViewPosition
    """The position of the consent view the decision was made on."""


class LegalRef(BaseModel):
    """A provision without consent under APPI art. 27(1), by staff, with its reference."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    basis: LegalBasis
    reference: str = Field(min_length=1, max_length=200)
    """A court order number, a request id."""


@register
class DataShared(Event):
    """The record of a provision to a third party (APPI art. 29): kept at least 3 years."""

    type: ClassVar[str] = "DataShared"
    producer: ClassVar[str] = "matching"

    disclosure_id: UUID
    shared_at: datetime
    purpose: Purpose
    organization_id: str = Field(min_length=1)
    recipient_legal_name: str = Field(min_length=1)
    recipient_address: str = Field(min_length=1)
    recipient_representative: str = Field(min_length=1)
    recipient_country: Region
    data_items: tuple[DataCategory, ...] = Field(min_length=1)
    sensitive_items: tuple[SensitiveCategory, ...] = ()
    decision: DecisionRef | None = None
    legal: LegalRef | None = None
    application_id: UUID | None = None
    snapshot_sha256: Sha256 | None = None

    @model_validator(mode="after")
    def _one_justification(self) -> DataShared:
        if (self.decision is None) == (self.legal is None):
            raise ValueError("a provision names exactly one of: a consent decision, a legal basis")
        return self


@register
class DataShareBlocked(Event):
    """A provision the consent service denied, with what consent is missing."""

    type: ClassVar[str] = "DataShareBlocked"
    producer: ClassVar[str] = "matching"

    application_id: UUID | None = None
    organization_id: str = Field(min_length=1)
    purpose: Purpose
    region: Region
    reason: DecisionReason
    missing: str = Field(default="", max_length=500)


@register
class RecipientNotified(Event):
    """A client that received a person's data is told it was corrected or erased (the
    notification itself is notifications' `NotificationSent` citing this event)."""

    type: ClassVar[str] = "RecipientNotified"
    producer: ClassVar[str] = "matching"

    organization_id: str = Field(min_length=1)
    disclosure_ids: tuple[UUID, ...] = Field(min_length=1)
    """The provisions to that client the change concerns."""
    change: Literal["corrected", "erased"]
    items: tuple[DataCategory, ...] = ()
    """The categories corrected (an erasure concerns everything provided)."""
    values: Personal[dict[str, str] | None] = None
    """The corrected values: only where the person's consent covers giving them to this
    client now, and then recorded as a provision of their own (`provision_id`)."""
    provision_id: UUID | None = None


@register
class ProvisionRecordsRemoved(RecordsRemoved):
    """Matching's retention job: provision records past their period."""

    type: ClassVar[str] = "ProvisionRecordsRemoved"
    producer: ClassVar[str] = "matching"

    kind: Literal[RecordKind.PROVISION_RECORD] = RecordKind.PROVISION_RECORD
