"""Events of the desk: requests of a person (APPI arts. 33–35), complaints and enquiries
(art. 40), each one stream (`desk-request-<id>`) from filing to closing (docs/desk.md).

The person's words (what they ask, the new value of a field, their messages, a
guest's address) and the desk's answers are personal: sealed under the person's
key, or a guest's own key, which the guest request's retention destroys.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from ac_events.catalogue.base import Event, Personal, register
from ac_events.catalogue.retention import RecordKind, RecordsRemoved
from ac_events.catalogue.vocab import Language, Purpose, Recipient


class RequestKind(StrEnum):
    DISCLOSURE = "disclosure"
    """What is held about the person, with the records of its provision to third parties."""
    CORRECTION = "correction"
    ADDITION = "addition"
    DELETION = "deletion"
    CESSATION_OF_USE = "cessation_of_use"
    """Stop using the person's data for a purpose."""
    CESSATION_OF_PROVISION = "cessation_of_provision"
    """Stop providing the person's data to a third party."""
    ERASURE = "erasure"
    COMPLAINT = "complaint"
    """About the handling of personal data (a ticket with a thread)."""
    ENQUIRY = "enquiry"
    """A question (a ticket with a thread)."""


TICKET_KINDS = frozenset({RequestKind.COMPLAINT, RequestKind.ENQUIRY})
FIELD_KINDS = frozenset({RequestKind.CORRECTION, RequestKind.ADDITION, RequestKind.DELETION})


class ProfileField(StrEnum):
    """The fields a correction, addition or deletion names (`other`: described in words)."""

    NAME = "name"
    EMAIL = "email"
    GENDER = "gender"
    SCHOOL = "school"
    OTHER = "other"


class Channel(StrEnum):
    WEB = "web"
    POST = "post"
    PHONE = "phone"
    EMAIL = "email"
    IN_PERSON = "in_person"


class VerificationMethod(StrEnum):
    PASSWORD_AND_CODE = "password_and_code"  # noqa: S105 (a method's name, not a password)
    """Signed in, then the password again and a one-time code sent to the verified address."""
    DOCUMENT = "document"
    """Staff checked an identity document (what it was is recorded, never a copy)."""
    OTHER = "other"
    """Staff verified in another way, described."""


class Outcome(StrEnum):
    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    REFUSED = "refused"
    ANSWERED = "answered"
    """A complaint or an enquiry was answered."""


@register
class RequestFiled(Event):
    type: ClassVar[str] = "RequestFiled"
    producer: ClassVar[str] = "desk"

    request_id: UUID
    kind: RequestKind
    channel: Channel = Channel.WEB
    filed_by: str | None = Field(default=None, max_length=100)
    """The staff member who filed it for the person (a request by post or phone)."""
    account: bool = True
    """False: someone without an account (a guest id), answered at `reply_to`."""
    language: Language = Language.JA
    field: ProfileField | None = None
    value: Personal[str | None] = None
    """The new value of the field (a correction, an addition)."""
    purpose: Purpose | None = None
    recipient: Recipient | None = None
    title: Personal[str | None] = None
    details: Personal[str | None] = None
    """What the person asks, in their words."""
    reply_to: Personal[str | None] = None
    """A guest's address to answer."""
    needs_verification: bool = False
    """It discloses or destroys data: step-up verification before anything happens."""
    due_at: datetime | None = None
    """When it must be answered by; None until the person's identity is verified."""


@register
class VerificationCodeIssued(Event):
    """A one-time code for step-up verification, for notifications to send to the verified
    address (the desk compares what the person types with it)."""

    type: ClassVar[str] = "VerificationCodeIssued"
    producer: ClassVar[str] = "desk"

    request_id: UUID
    code: Personal[str]
    expires_at: datetime
    number: int = Field(ge=1)
    """The request's first code, second, ..."""


@register
class VerificationFailed(Event):
    """A wrong password or code (which of the two is not said)."""

    type: ClassVar[str] = "VerificationFailed"
    producer: ClassVar[str] = "desk"

    request_id: UUID
    tries: int = Field(ge=1)
    """Wrong tries of the current code so far."""


@register
class IdentityVerified(Event):
    type: ClassVar[str] = "IdentityVerified"
    producer: ClassVar[str] = "desk"

    request_id: UUID
    method: VerificationMethod
    document: str | None = Field(default=None, max_length=200)
    """What staff checked ("residence card", "passport"), or how; never a copy of it."""
    verified_by: str | None = Field(default=None, max_length=100)
    due_at: datetime
    """The deadline runs from here."""


@register
class RequestAssigned(Event):
    type: ClassVar[str] = "RequestAssigned"
    producer: ClassVar[str] = "desk"

    request_id: UUID
    assignee: str = Field(min_length=1, max_length=100)
    assigned_by: str = Field(min_length=1, max_length=100)


@register
class RequestAnswered(Event):
    """The answer to the person: sent by email, and on their page."""

    type: ClassVar[str] = "RequestAnswered"
    producer: ClassVar[str] = "desk"

    request_id: UUID
    outcome: Outcome
    reason: Personal[str]
    """What the person is told, and why."""
    answered_by: str | None = Field(default=None, max_length=100)
    """The staff member; None when the desk did it at once."""
    actions: tuple[str, ...] = ()
    """What the desk carried out (`consent <id> withdrawn`, `profile.school corrected`, ...):
    no personal data."""


@register
class MessagePosted(Event):
    """A message in a request's thread (complaints and enquiries above all)."""

    type: ClassVar[str] = "MessagePosted"
    producer: ClassVar[str] = "desk"

    request_id: UUID
    message_id: UUID
    by: Literal["person", "staff"]
    author: str | None = Field(default=None, max_length=100)
    """The staff member who wrote it."""
    body: Personal[str]


@register
class RequestDueSoon(Event):
    """A request not answered with little time left: staff are warned."""

    type: ClassVar[str] = "RequestDueSoon"
    producer: ClassVar[str] = "desk"

    request_id: UUID
    due_at: datetime
    notify: tuple[str, ...] = ()
    """The staff told (the assignee, else the supervisors)."""


@register
class RequestEscalated(Event):
    """A request past its due date, unanswered: the desk's supervisors are told."""

    type: ClassVar[str] = "RequestEscalated"
    producer: ClassVar[str] = "desk"

    request_id: UUID
    due_at: datetime
    notify: tuple[str, ...] = ()


class RequestCloseReason(StrEnum):
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"
    """The person withdrew it."""
    ERASED = "erased"
    """The person was erased."""


@register
class RequestClosed(Event):
    type: ClassVar[str] = "RequestClosed"
    producer: ClassVar[str] = "desk"

    request_id: UUID
    reason: RequestCloseReason = RequestCloseReason.ANSWERED
    closed_by: str | None = Field(default=None, max_length=100)


@register
class GuestRequestsRemoved(RecordsRemoved):
    type: ClassVar[str] = "GuestRequestsRemoved"
    producer: ClassVar[str] = "desk"

    kind: Literal[RecordKind.GUEST_REQUEST] = RecordKind.GUEST_REQUEST
