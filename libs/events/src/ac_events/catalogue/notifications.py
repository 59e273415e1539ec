"""Events of the notifications service: what was told to whom, and subscriptions."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from ac_events.catalogue.base import Event, Personal, register
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


@register
class NotificationSent(Event):
    type: ClassVar[str] = "NotificationSent"
    producer: ClassVar[str] = "notifications"

    message_id: UUID
    kind: NotificationKind
    channel: Literal["email"] = "email"
    language: Language
    idempotency_key: str = Field(min_length=1, max_length=200)
    cause_event_id: UUID | None = None
    address: Personal[str]


@register
class NotificationFailed(Event):
    type: ClassVar[str] = "NotificationFailed"
    producer: ClassVar[str] = "notifications"

    message_id: UUID
    kind: NotificationKind
    channel: Literal["email"] = "email"
    language: Language
    idempotency_key: str = Field(min_length=1, max_length=200)
    cause_event_id: UUID | None = None
    address: Personal[str]
    reason: str = Field(max_length=500)
    permanent: bool


@register
class AlertSubscribed(Event):
    type: ClassVar[str] = "AlertSubscribed"
    producer: ClassVar[str] = "notifications"

    subscription_id: UUID
    keywords: tuple[str, ...] = ()
    countries: tuple[Region, ...] = ()
