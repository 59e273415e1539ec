"""Events of the notifications service: what was told to whom, and subscriptions."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from ac_events.catalogue.base import Event, Personal, register
from ac_events.catalogue.retention import RecordKind, RecordsRemoved
from ac_events.catalogue.vocab import Language, Region


class NotificationKind(StrEnum):
    EMAIL_VERIFICATION = "email_verification"
    POLICY_CHANGE = "policy_change"
    BUSINESS_TRANSFER = "business_transfer"
    DISCLOSURE = "disclosure"
    APPLICATION_BLOCKED = "application_blocked"
    JOB_ALERT = "job_alert"
    MARKETING = "marketing"
    PROMOTION = "promotion"
    ERASURE_CONFIRMATION = "erasure_confirmation"
    APPLICATION_STATUS = "application_status"
    """To a student: their application moved (recruitment_services)."""
    APPLICATION_WITHDRAWN = "application_withdrawn"
    """To a client organisation's users: an application was withdrawn, or its student erased."""
    DESK_RECEIVED = "desk_received"
    """The desk has a person's request (or a guest's complaint or enquiry)."""
    DESK_CODE = "desk_code"
    """A one-time code for step-up verification."""
    DESK_ANSWER = "desk_answer"
    """The desk's answer to a request, or a staff reply in its thread."""
    DESK_DEADLINE = "desk_deadline"
    """To staff: a request is due soon, or overdue (escalated to the supervisors)."""
    RECIPIENT_NOTICE = "recipient_notice"
    """To a client: data it received was corrected or erased."""
    # [H] issue 14 (item 5), issue 16 (item 6): an account people can recover and control
    REGISTRATION_ATTEMPT = "registration_attempt"


class _Message(Event):
    """What every notification event says of its message (not registered itself)."""

    message_id: UUID
    kind: NotificationKind
    channel: Literal["email"] = "email"
    language: Language
    idempotency_key: str = Field(min_length=1, max_length=200)
    """One message per cause: the same key is never sent twice."""
    cause_event_id: UUID | None = None
    address: Personal[str]


@register
class NotificationSent(_Message):
    type: ClassVar[str] = "NotificationSent"
    producer: ClassVar[str] = "notifications"


@register
class NotificationFailed(_Message):
    type: ClassVar[str] = "NotificationFailed"
    producer: ClassVar[str] = "notifications"

    reason: str = Field(max_length=500)
    permanent: bool


@register
class AlertSubscribed(Event):
    type: ClassVar[str] = "AlertSubscribed"
    producer: ClassVar[str] = "notifications"

    subscription_id: UUID
    keywords: tuple[str, ...] = ()
    countries: tuple[Region, ...] = ()


@register
class MessageBodiesRemoved(RecordsRemoved):
    """Notifications' retention job: what delivered messages said."""

    type: ClassVar[str] = "MessageBodiesRemoved"
    producer: ClassVar[str] = "notifications"

    kind: Literal[RecordKind.MESSAGE_BODY] = RecordKind.MESSAGE_BODY
