"""The matching service's HTTP contract: vacancies (kinds, internship terms, forms), search,
matches, applications and their states, and provision records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ac_contracts.common import Line, OrgId, SubjectId
from ac_contracts.pagination import ListQuery
from ac_events.catalogue import (
    ApplicationState,
    CloseReason,
    DataCategory,
    DecisionReason,
    FormQuestion,
    InternshipTerms,
    LegalBasis,
    QuestionKind,
    Role,
    VacancyKind,
    WorkMode,
)
from ac_events.catalogue import (
    MatchingPreferences as MatchingPreferences,  # the body of PUT /me/preferences
)
from ac_events.catalogue.matching import MAX_QUESTIONS
from ac_events.catalogue.vocab import Region

Skill = Annotated[Line, Field(min_length=1, max_length=100)]
Choice = Annotated[str, Field(min_length=1, max_length=200)]

# ---------------------------------------------------------------- vacancies


class QuestionBody(BaseModel):
    """A question of the form as a client writes it (numbered `q1`, `q2`, ... in order)."""

    model_config = ConfigDict(extra="forbid")
    kind: QuestionKind
    prompt: str = Field(min_length=1, max_length=500)
    choices: list[Choice] = Field(default_factory=list, max_length=20)
    """For `one_choice` and `several_choices`: 2 to 20 distinct choices."""
    required: bool = True


class _Vacancy(BaseModel):
    title: Line = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    skills: list[Skill] = Field(default_factory=list, max_length=50)
    location_country: Region
    kind: VacancyKind = VacancyKind.PERMANENT
    work_mode: WorkMode = WorkMode.ON_SITE
    location_area: str = Field(default="", max_length=100)
    """A prefecture or a city."""
    internship: InternshipTerms | None = None
    """An internship's period, hours, pay and school credit (internships only)."""
    deadline: datetime | None = None
    """Applications close at this time; the vacancy then closes by itself."""
    places: int = Field(default=1, ge=1, le=10_000)


class VacancyBody(_Vacancy):
    """A vacancy as its organisation posts (or revises) it."""

    model_config = ConfigDict(extra="forbid")
    form: list[QuestionBody] = Field(default_factory=list, max_length=MAX_QUESTIONS)
    """Up to 20 questions the student answers to apply."""

    @model_validator(mode="after")
    def _terms_for_internships(self) -> VacancyBody:
        if (self.kind is VacancyKind.INTERNSHIP) != (self.internship is not None):
            raise ValueError("an internship states its terms (`internship`), and only one does")
        return self


class VacancyOut(_Vacancy):
    vacancy_id: UUID
    organization_id: str
    form: list[FormQuestion]
    open: bool
    closed_reason: CloseReason | None = None
    posted_at: datetime
    revision: int
    """1 as posted, then one more for each revision."""


class CloseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Literal["filled", "withdrawn"] = "withdrawn"


class VacancySearch(ListQuery):
    """Search and browse open vacancies (every filter is optional)."""

    q: str | None = Field(default=None, min_length=1, max_length=200,
                          description="Words, Japanese or English: every term must occur")  # fmt: skip
    kind: VacancyKind | None = None
    country: Region | None = None
    remote: bool | None = Field(default=None, description="true: remote or hybrid work allowed")
    paid: bool | None = Field(default=None, description="false: unpaid internships only")
    deadline_after: date | None = Field(
        default=None, description="Still taking applications on this day"
    )
    sort: Literal["newest", "best"] = Field(
        default="newest", description="`best`: best match for `q` first"
    )


class OrganisationVacancies(ListQuery):
    status: Literal["open", "closed", "all"] = "all"


# ---------------------------------------------------------------- matches and candidates


class Candidate(BaseModel):
    """A student who has not applied, as a client may see them: no CV text, nothing that
    identifies, nothing derived from volunteered sensitive data."""

    candidate: str
    """An anonymous reference, keyed per vacancy."""
    score: float
    matched_skills: list[str]
    """The vacancy's own skills that matched."""


class MatchReason(BaseModel):
    skill: str
    """One of the student's skills..."""
    matches: str
    """...and the vacancy's skill it matched."""


class Match(BaseModel):
    vacancy: VacancyOut
    score: float
    reasons: list[MatchReason]


class ResumeToken(BaseModel):
    """The CV consistency token of the student's last CV write (`resume_id` and `revision` of
    its answer): matching answers on that CV or later, or with 409 `resume_not_here_yet`."""

    resume_id: UUID | None = Field(default=None, description="`resume_id` of the CV last written")
    resume_revision: int | None = Field(default=None, ge=1, description="…and its `revision`")


class MatchQuery(ListQuery, ResumeToken):
    limit: int = Field(default=10, ge=1, le=50, description="How many vacancies at most")


# ---------------------------------------------------------------- applications

Answer = Annotated[str, Field(max_length=5000)] | list[Choice] | bool


class ApplicationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vacancy_id: UUID
    data_items: list[DataCategory] | None = Field(default=None, min_length=1, max_length=11)
    """What to send (default: name, contact, school, resume; and the form when the vacancy
    has one)."""
    answers: dict[Annotated[str, Field(pattern=r"^q([1-9]|1[0-9]|20)$")], Answer] = Field(
        default_factory=dict, max_length=MAX_QUESTIONS,
        json_schema_extra={"additionalProperties": False},  # only question ids are keys
    )  # fmt: skip
    """The form's answers by question id: text, the choices picked, or yes/no."""


class ApplicationOut(BaseModel):
    application_id: UUID
    vacancy_id: UUID
    status: Literal["shared", "blocked"]
    state: ApplicationState | None
    """Where a shared application stands (`submitted` at first); none when blocked."""
    reason: DecisionReason
    missing: str
    """Blocked: the consent the student would need to give."""
    disclosure_id: UUID | None = None


class StatusChange(BaseModel):
    at: datetime
    from_state: ApplicationState
    to_state: ApplicationState
    by_role: Role
    message: str | None
    """To the student (`null` once the student is erased)."""


class ApplicationListed(BaseModel):
    application_id: UUID
    vacancy_id: UUID
    title: str
    organization_id: str
    status: Literal["shared", "blocked"]
    state: ApplicationState | None
    reason: DecisionReason
    missing: str
    created_at: datetime
    updated_at: datetime


class ApplicationDetail(ApplicationListed):
    """A student's application with its history."""

    history: list[StatusChange]


Access = Literal["available", "application_withdrawn", "consent_withdrawn", "erased"]


class ClientApplication(BaseModel):
    """An application as its organisation sees it: no person's id, and its data only while
    the student allows it (`access` says why not)."""

    application_id: UUID
    vacancy_id: UUID
    state: ApplicationState
    submitted_at: datetime
    updated_at: datetime
    access: Access
    disclosure_id: UUID | None
    data_items: list[DataCategory]


class ClientApplicationDetail(ClientApplication):
    history: list[StatusChange]
    data: dict[str, Any] | None
    """Exactly what was provided (`null` when `access` is not `available`)."""


class ApplicationsQuery(ListQuery):
    state: ApplicationState | None = None


class MoveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["review", "interview", "offer", "accept", "decline", "reject"]
    message: str | None = Field(default=None, min_length=1, max_length=2000)
    """For the student (sealed under their key)."""


class AnswerBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["accept", "decline"]


# ---------------------------------------------------------------- provision records


class Disclosure(BaseModel):
    """The record of one provision (APPI art. 29): when, to whom, what, on what ground."""

    event_id: UUID
    record: dict[str, Any]


class Received(Disclosure):
    access: Access = "available"
    data: dict[str, Any] | None
    """The data as sent (`null` once the person is erased, or withdrew it)."""


class LegalDisclosureBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject_id: SubjectId
    organization_id: OrgId
    """The recipient (a regulator, court, police...), registered as an organisation."""
    data_items: list[DataCategory] = Field(min_length=1, max_length=11)
    legal_basis: LegalBasis
    legal_reference: Line = Field(min_length=1, max_length=200)
    notice_would_prejudice: bool = False
    """Telling the person would prejudice the request (recorded on the provision): they are
    not notified. Otherwise they are told, in words that claim no consent."""


class LegalDisclosureOut(BaseModel):
    disclosure_id: UUID
    reason: DecisionReason
