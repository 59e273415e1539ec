"""Events of the notifications service: what was told to whom, and subscriptions."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from ac_events.catalogue.base import Event, Personal, register, upcaster
from ac_events.catalogue.retention import RecordKind, RecordsRemoved
from ac_events.catalogue.uses import UseBasis, UseRef, not_cited
from ac_events.catalogue.vocab import Language, Purpose, Region


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
    INCIDENT_NOTICE = "incident_notice"
    """To a person an incident touched (APPI art. 26(2)) [B] #17."""
    # [H] issue 14 (item 5), issue 16 (item 6): an account people can recover and control
    REGISTRATION_ATTEMPT = "registration_attempt"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind of message, not a secret)
    """A link to set a new password (valid 30 minutes, once)."""


CONSENT, CONTRACT, LEGAL = UseBasis.CONSENT, UseBasis.CONTRACT, UseBasis.LEGAL_OBLIGATION
MESSAGE_USES: dict[NotificationKind, tuple[Purpose, UseBasis]] = {
    NotificationKind.JOB_ALERT: (Purpose.CV_AND_JOB_ALERTS, CONSENT),
    NotificationKind.MARKETING: (Purpose.MARKETING, CONSENT),
    NotificationKind.PROMOTION: (Purpose.PROMOTIONS_AND_EVENTS, CONSENT),
    NotificationKind.EMAIL_VERIFICATION: (Purpose.RECRUITMENT_SERVICES, CONTRACT),
    NotificationKind.REGISTRATION_ATTEMPT: (Purpose.RECRUITMENT_SERVICES, CONTRACT),
    NotificationKind.PASSWORD_RESET: (Purpose.RECRUITMENT_SERVICES, CONTRACT),
    NotificationKind.APPLICATION_BLOCKED: (Purpose.RECRUITMENT_SERVICES, CONTRACT),
    NotificationKind.APPLICATION_STATUS: (Purpose.RECRUITMENT_SERVICES, CONTRACT),
    NotificationKind.APPLICATION_WITHDRAWN: (Purpose.RECRUITMENT_SERVICES, CONTRACT),
    NotificationKind.DESK_DEADLINE: (Purpose.ENQUIRIES, CONTRACT),
    NotificationKind.POLICY_CHANGE: (Purpose.RECRUITMENT_SERVICES, LEGAL),
    NotificationKind.BUSINESS_TRANSFER: (Purpose.RECRUITMENT_SERVICES, LEGAL),
    NotificationKind.DISCLOSURE: (Purpose.RECRUITMENT_SERVICES, LEGAL),
    NotificationKind.RECIPIENT_NOTICE: (Purpose.RECRUITMENT_SERVICES, LEGAL),
    NotificationKind.ERASURE_CONFIRMATION: (Purpose.ENQUIRIES, LEGAL),
    NotificationKind.DESK_RECEIVED: (Purpose.ENQUIRIES, LEGAL),
    NotificationKind.DESK_CODE: (Purpose.ENQUIRIES, LEGAL),
    NotificationKind.DESK_ANSWER: (Purpose.ENQUIRIES, LEGAL),
    NotificationKind.INCIDENT_NOTICE: (Purpose.RECRUITMENT_SERVICES, LEGAL),
}
"""[E] #18: the purpose each kind of message serves and its basis. Alerts, marketing and
promotions go only on the person's consent, decided at send time; the others are owed
(the service's own messages under the contract; notices and answers the law or the policy
promise), citing that basis."""


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
    use: UseRef
    """[E] #18: the purpose the message served, and the decision (or basis) behind it. A
    message refused by the consent service at send time is `NotificationFailed` with a
    refused use: the address was not used."""


def _upcast_message_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """[E] #18: v1 cited nothing. An owed kind's basis follows from its kind; a kind that
    needs consent reads as "no decision cited"."""
    purpose, basis = MESSAGE_USES[NotificationKind(payload["kind"])]
    if basis is CONSENT:
        return {**payload, "use": not_cited(purpose)}
    return {**payload, "use": UseRef.owed(purpose, basis).model_dump(mode="json")}


@register
class NotificationSent(_Message):
    type: ClassVar[str] = "NotificationSent"
    schema_version: ClassVar[int] = 2
    producer: ClassVar[str] = "notifications"


upcaster("NotificationSent", 1)(_upcast_message_v1_v2)


@register
class NotificationFailed(_Message):
    type: ClassVar[str] = "NotificationFailed"
    schema_version: ClassVar[int] = 2
    producer: ClassVar[str] = "notifications"

    reason: str = Field(max_length=500)
    permanent: bool


upcaster("NotificationFailed", 1)(_upcast_message_v1_v2)


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
