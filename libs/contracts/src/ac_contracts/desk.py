"""The desk's HTTP contract: a person's requests (APPI arts. 33–35), complaints and enquiries
(art. 40), step-up verification, the staff queue and the monthly report (docs/desk.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, TypeAdapter

from ac_contracts.common import OrgId, SubjectId
from ac_contracts.pagination import ListQuery
from ac_events.catalogue import (
    Channel,
    Language,
    Outcome,
    ProfileField,
    Purpose,
    RequestKind,
    VerificationMethod,
)

Status = Literal["awaiting_verification", "open", "answered", "closed"]
Text = Field(min_length=1, max_length=5000)
_EMAIL: TypeAdapter[EmailStr] = TypeAdapter(EmailStr)
LONGEST = {ProfileField.GENDER: 40, ProfileField.SCHOOL: 200, ProfileField.NAME: 200}
"""The longest value each profile field takes (as identity's profile does)."""


class RequestBody(BaseModel):
    """A request of the signed-in person. What each kind needs:

    - `disclosure`, `erasure`: nothing more (both ask for step-up verification);
    - `correction`, `addition`: `field` and its new `value` (`field: other`: say what in
      `details`); a change of `email` asks for step-up verification;
    - `deletion`: `field` (`gender`, `school`, or `other` with `details`);
    - `cessation_of_use`: `purpose`; `cessation_of_provision`: `recipient`;
    - `complaint`, `enquiry`: `details` (the message), and a `title`.
    """

    model_config = ConfigDict(extra="forbid")
    kind: RequestKind
    field: ProfileField | None = None
    value: str | None = Field(default=None, min_length=1, max_length=200)
    purpose: Purpose | None = None
    recipient: OrgId | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    details: str | None = Field(default=None, min_length=1, max_length=5000)
    language: Language = Language.JA
    """The language the desk answers in."""
    # An email for `email`, at most 40 characters for `gender`: `value_problem` (422
    # `value_not_taken`).


def value_problem(field: ProfileField | None, value: str | None) -> str | None:
    """Why `value` is not one `field` takes (an email address; a gender of 40 characters at
    most), or None. A rule across two fields of the body, so the desk refuses it as
    `value_not_taken` rather than the schema (which cannot say it)."""
    if value is None or field is None:
        return None
    if field == ProfileField.EMAIL:
        try:
            _EMAIL.validate_python(value)
        except ValueError:
            return "the new email is not an email address"
        return None
    if len(value) > LONGEST.get(field, 200):
        return f"a {field.value} is at most {LONGEST[field]} characters"
    return None


class StaffVerificationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal[VerificationMethod.DOCUMENT, VerificationMethod.OTHER]
    document: str = Field(min_length=1, max_length=200)
    """What was checked ("residence card", "passport", "called back the registered
    number"): never a copy of it."""


class StaffFiledBody(RequestBody):
    """A request made outside the platform (by post, by phone), filed by staff for the person."""

    subject_id: SubjectId
    channel: Literal[Channel.POST, Channel.PHONE, Channel.EMAIL, Channel.IN_PERSON]
    verification: StaffVerificationBody


class GuestBody(BaseModel):
    """A complaint or an enquiry from someone without an account."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal[RequestKind.COMPLAINT, RequestKind.ENQUIRY]
    email: EmailStr
    """Where the desk answers."""
    title: str = Field(min_length=1, max_length=200)
    message: str = Text
    language: Language = Language.JA


class GuestFiled(BaseModel):
    request_id: UUID
    """Quoted in every email the desk sends about it."""


class VerificationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=256)
    code: str = Field(pattern=r"^\d{6}$", description="The six digits emailed to you")


class MessageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Text


class AssignmentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: SubjectId | None = None
    """A staff member's subject id; the caller when absent."""


class AnswerBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Outcome
    """`answered` for a complaint or an enquiry; else granted, partly granted or refused."""
    reason: str = Text
    """What the person is told, and why (sent by email, kept on their page)."""
    apply: bool = True
    """For a granted correction, addition, deletion, cessation or erasure: carry it out now
    (False: staff did it already another way)."""


class CodeSent(BaseModel):
    number: int
    expires_at: datetime


class Verification(BaseModel):
    needed: bool
    verified_at: datetime | None
    method: VerificationMethod | None
    document: str | None = None
    code_expires_at: datetime | None = None
    tries_left: int | None = None


class AnswerOut(BaseModel):
    outcome: Outcome
    reason: str | None
    """None once the person's data key is gone."""
    answered_by: str | None
    actions: list[str]
    at: datetime


class MessageOut(BaseModel):
    message_id: UUID
    by: Literal["person", "staff"]
    author: str | None
    body: str | None
    at: datetime


class RequestListed(BaseModel):
    request_id: UUID
    subject_id: str
    kind: RequestKind
    channel: Channel
    account: bool
    status: Status
    filed_at: datetime
    due_at: datetime | None
    overdue: bool
    assignee: str | None
    answered_at: datetime | None
    outcome: Outcome | None


class RequestOut(RequestListed):
    language: Language
    filed_by: str | None
    field: ProfileField | None
    value: str | None
    purpose: Purpose | None
    recipient: str | None
    title: str | None
    details: str | None
    verification: Verification
    answers: list[AnswerOut]
    messages: list[MessageOut]
    closed_at: datetime | None
    disclosure_until: datetime | None = None
    """An answered disclosure: `GET /v1/me/requests/{id}/disclosure` until then."""


class QueueQuery(ListQuery):
    kind: RequestKind | None = Field(default=None, description="Only requests of this kind")
    status: Status | None = Field(
        default=None, description="Only this status (default: open and answered ones)"
    )
    overdue: bool | None = Field(default=None, description="Only overdue ones (or only not)")
    assignee: SubjectId | None = Field(default=None, description="Only those assigned to them")


class DisclosureGrant(BaseModel):
    request_id: UUID
    verified_at: datetime
    available_until: datetime


class MonthReport(BaseModel):
    month: str
    """`YYYY-MM`, of filing (UTC)."""
    by_kind: dict[RequestKind, int]
    answered: int
    median_days: float | None
    """Median time to answer, in days, from when the deadline started."""
    worst_days: float | None
    overdue: int
    """Answered after their due date, or still unanswered past it."""


class Report(BaseModel):
    target_days: int
    months: list[MonthReport]
