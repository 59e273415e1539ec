"""The matching service's HTTP contract: vacancies, matches, applications, provision records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ac_contracts.common import Line, OrgId, SubjectId
from ac_events.catalogue import DataCategory, DecisionReason, LegalBasis
from ac_events.catalogue.vocab import Region


class VacancyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Line = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    skills: list[Annotated[Line, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=50
    )
    location_country: Region


class VacancyOut(VacancyBody):
    vacancy_id: UUID
    organization_id: str
    open: bool
    posted_at: datetime


class Candidate(BaseModel):
    candidate: str
    """An anonymous reference, keyed per vacancy."""
    score: float
    matched_skills: list[str]
    skills: list[str]
    languages: list[str]
    desired_roles: list[str]


class Match(BaseModel):
    vacancy: VacancyOut
    score: float


class ResumeToken(BaseModel):
    """The CV consistency token of the student's last CV write (`resume_id` and `revision` of
    its answer): matching answers on that CV or later, or with 409 `resume_not_here_yet`."""

    resume_id: UUID | None = Field(default=None, description="`resume_id` of the CV last written")
    resume_revision: int | None = Field(default=None, ge=1, description="…and its `revision`")


class ApplicationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vacancy_id: UUID
    data_items: list[DataCategory] | None = Field(default=None, min_length=1, max_length=11)
    """What to send (default: name, contact, school, resume)."""


class ApplicationOut(BaseModel):
    application_id: UUID
    vacancy_id: UUID
    status: Literal["shared", "blocked"]
    reason: DecisionReason
    missing: str
    """Blocked: the consent the student would need to give."""
    disclosure_id: UUID | None = None


class ApplicationListed(BaseModel):
    application_id: UUID
    vacancy_id: UUID
    title: str
    organization_id: str
    status: Literal["shared", "blocked"]
    reason: DecisionReason
    missing: str
    created_at: datetime


class Disclosure(BaseModel):
    """The record of one provision (APPI art. 29): when, to whom, what, on what ground."""

    event_id: UUID
    record: dict[str, Any]


class Received(Disclosure):
    data: dict[str, Any] | None
    """The data as sent (`null` once the person is erased)."""


class LegalDisclosureBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject_id: SubjectId
    organization_id: OrgId
    """The recipient (a regulator, court, police...), registered as an organisation."""
    data_items: list[DataCategory] = Field(min_length=1, max_length=11)
    legal_basis: LegalBasis
    legal_reference: Line = Field(min_length=1, max_length=200)


class LegalDisclosureOut(BaseModel):
    disclosure_id: UUID
    reason: DecisionReason
