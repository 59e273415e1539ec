"""Events of the matching service: vacancies (kinds, internship terms, forms), scores,
applications and their states, and the record of every provision of personal data to a
third party."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ac_events.catalogue.base import Event, Personal, register, upcaster
from ac_events.catalogue.retention import RecordKind, RecordsRemoved
from ac_events.catalogue.uses import DecisionRef, UseRef, not_cited
from ac_events.catalogue.vocab import (
    DataCategory,
    DecisionReason,
    LegalBasis,
    Purpose,
    Region,
    Role,
    SensitiveCategory,
    Sha256,
)


class VacancyKind(StrEnum):
    """The kinds of opportunity the privacy policy names; internships come first."""

    INTERNSHIP = "internship"
    PERMANENT = "permanent"
    TEMPORARY = "temporary"
    CONTRACT = "contract"


class WorkMode(StrEnum):
    ON_SITE = "on_site"
    HYBRID = "hybrid"
    REMOTE = "remote"


class CloseReason(StrEnum):
    FILLED = "filled"
    WITHDRAWN = "withdrawn"
    DEADLINE_PASSED = "deadline_passed"


class StipendPer(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    TOTAL = "total"


class Stipend(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    amount: int = Field(ge=1, le=100_000_000)
    currency: str = Field(default="JPY", pattern=r"^[A-Z]{3}$")
    """ISO 4217."""
    per: StipendPer = StipendPer.MONTH


class InternshipTerms(BaseModel):
    """An internship's terms: its period (dates, or a duration in weeks), its hours, its pay,
    and whether a school may count it for credit."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    start_date: date | None = None
    end_date: date | None = None
    duration_weeks: int | None = Field(default=None, ge=1, le=104)
    hours_per_week: int | None = Field(default=None, ge=1, le=60)
    paid: bool
    stipend: Stipend | None = None
    """What a paid internship pays (none for an unpaid one)."""
    school_credit: bool = False

    @model_validator(mode="after")
    def _period_and_pay(self) -> InternshipTerms:
        if self.duration_weeks is None and (self.start_date is None or self.end_date is None):
            raise ValueError("an internship has start and end dates, or a duration in weeks")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("an internship ends after it starts")
        if self.paid != (self.stipend is not None):
            raise ValueError("a paid internship states its stipend, an unpaid one none")
        return self


class QuestionKind(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    ONE_CHOICE = "one_choice"
    SEVERAL_CHOICES = "several_choices"
    YES_NO = "yes_no"


CHOICE_KINDS = frozenset({QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES})
MAX_QUESTIONS = 20


class FormQuestion(BaseModel):
    """One question of a vacancy's application form (the policy's "information forms")."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    question_id: str = Field(pattern=r"^q([1-9]|1[0-9]|20)$")
    """`q1` ... `q20`, by position."""
    kind: QuestionKind
    prompt: str = Field(min_length=1, max_length=500)
    choices: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = Field(
        default=(), max_length=20
    )
    required: bool = True

    @model_validator(mode="after")
    def _choices_for_choice_kinds(self) -> FormQuestion:
        if (self.kind in CHOICE_KINDS) != (len(self.choices) >= 2):
            raise ValueError("a choice question has 2 to 20 choices; other questions none")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("a question's choices are distinct")
        return self


class _VacancyContent(Event):
    """What a vacancy says (posted, then revised): not registered itself."""

    vacancy_id: UUID
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    skills: tuple[str, ...] = ()
    location_country: Region
    kind: VacancyKind = VacancyKind.PERMANENT
    work_mode: WorkMode = WorkMode.ON_SITE
    location_area: str = Field(default="", max_length=100)
    """A prefecture or a city."""
    internship: InternshipTerms | None = None
    deadline: datetime | None = None
    """Applications close then (the vacancy closes by itself)."""
    places: int = Field(default=1, ge=1, le=10_000)
    form: tuple[FormQuestion, ...] = Field(default=(), max_length=MAX_QUESTIONS)

    @model_validator(mode="after")
    def _internship_terms(self) -> _VacancyContent:
        if (self.kind is VacancyKind.INTERNSHIP) != (self.internship is not None):
            raise ValueError("an internship states its terms, and only an internship does")
        if [q.question_id for q in self.form] != [f"q{i}" for i in range(1, len(self.form) + 1)]:
            raise ValueError("form questions are numbered q1, q2, ... in order")
        return self


@register
class VacancyPosted(_VacancyContent):
    type: ClassVar[str] = "VacancyPosted"
    schema_version: ClassVar[int] = 2
    producer: ClassVar[str] = "matching"

    organization_id: str = Field(min_length=1)


@upcaster("VacancyPosted", 1)
def upcast_vacancy_posted_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v1 knew no kinds, terms, deadline, places or form: a v1 vacancy was an on-site
    permanent position with one place and no form."""
    return {
        **payload,
        "kind": VacancyKind.PERMANENT.value,
        "work_mode": WorkMode.ON_SITE.value,
        "location_area": "",
        "internship": None,
        "deadline": None,
        "places": 1,
        "form": [],
    }


@register
class VacancyRevised(_VacancyContent):
    """The vacancy as its organisation revised it: the whole content, not a difference."""

    type: ClassVar[str] = "VacancyRevised"
    producer: ClassVar[str] = "matching"

    revision: int = Field(ge=2)


@register
class VacancyClosed(Event):
    type: ClassVar[str] = "VacancyClosed"
    schema_version: ClassVar[int] = 2
    producer: ClassVar[str] = "matching"

    vacancy_id: UUID
    reason: CloseReason


@upcaster("VacancyClosed", 1)
def upcast_vacancy_closed_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v1 closed a vacancy only at its organisation's request."""
    return {**payload, "reason": CloseReason.WITHDRAWN.value}


@register
class MatchScored(Event):
    """A student's CV scored against a vacancy (shown to them, or to the organisation as an
    anonymous candidate): a use for `vacancy_assessment`, citing the decision that allowed it."""

    type: ClassVar[str] = "MatchScored"
    schema_version: ClassVar[int] = 2
    producer: ClassVar[str] = "matching"

    vacancy_id: UUID
    score: float
    method: str = Field(min_length=1, max_length=40)
    use: UseRef


@upcaster("MatchScored", 1)
def upcast_match_scored_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """[E] #18: v1 cited no decision."""
    return {**payload, "use": not_cited(Purpose.VACANCY_ASSESSMENT)}


@register
class ApplicationSubmitted(Event):
    type: ClassVar[str] = "ApplicationSubmitted"
    producer: ClassVar[str] = "matching"

    application_id: UUID
    vacancy_id: UUID
    organization_id: str = Field(min_length=1)


class LegalRef(BaseModel):
    """A provision without consent under APPI art. 27(1), by staff, with its reference."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    basis: LegalBasis
    reference: str = Field(min_length=1, max_length=200)
    """A court order number, a request id."""
    notice_withheld: bool = False
    """Staff recorded that a notice would prejudice the request: none is sent ([H] #14)."""


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


class ApplicationState(StrEnum):
    """Where an application stands (the transitions are matching's `domain.py`)."""

    SUBMITTED = "submitted"
    REVIEWING = "reviewing"
    INTERVIEW = "interview"
    OFFER = "offer"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class WithdrawalCause(StrEnum):
    STUDENT = "student"
    """The student withdrew it."""
    ERASED = "erased"
    """The student was erased: every open application of theirs ends."""


@register
class ApplicationStatusChanged(Event):
    """An application moved (by its organisation, or by the student answering an offer)."""

    type: ClassVar[str] = "ApplicationStatusChanged"
    producer: ClassVar[str] = "matching"

    application_id: UUID
    vacancy_id: UUID
    organization_id: str = Field(min_length=1)
    from_state: ApplicationState
    to_state: ApplicationState
    moved_by: str = Field(min_length=1, max_length=100)
    """The pseudonymous id of the user who moved it."""
    moved_by_role: Role
    message: Personal[str | None] = None
    """To the student, sealed under the student's key."""


@register
class ApplicationWithdrawn(Event):
    """An application ends by the student's act (or erasure): its organisation loses the
    data it was sent; the record of the provision stays."""

    type: ClassVar[str] = "ApplicationWithdrawn"
    producer: ClassVar[str] = "matching"

    application_id: UUID
    vacancy_id: UUID
    organization_id: str = Field(min_length=1)
    from_state: ApplicationState
    cause: WithdrawalCause = WithdrawalCause.STUDENT


class Availability(BaseModel):
    """A period in which a student can work (both days included). One that ends before it
    starts is refused by matching (`period_reversed`), not by its shape."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    start: date
    end: date


class MatchingPreferences(BaseModel):
    """What a student wants matching to keep to: nothing stated means anything goes."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    available: tuple[Availability, ...] = Field(default=(), max_length=12)
    """When they can work; an internship must fit in one of these periods."""
    kinds: tuple[VacancyKind, ...] = Field(default=(), max_length=4)
    work_modes: tuple[WorkMode, ...] = Field(default=(), max_length=3)
    """`[remote]` for remote only, `[on_site, hybrid]` for not remote, ..."""


@register
class PreferencesStated(Event):
    """A student stated (or changed) what matching should keep to."""

    type: ClassVar[str] = "PreferencesStated"
    producer: ClassVar[str] = "matching"

    preferences: Personal[MatchingPreferences]


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
