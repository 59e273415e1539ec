"""The notifications service's HTTP contract: a person's messages and job alerts, campaigns,
unsubscribe links."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ac_contracts.common import Line
from ac_events.catalogue import NotificationKind, Purpose
from ac_events.catalogue.vocab import Region


class NotificationOut(BaseModel):
    message_id: UUID
    kind: NotificationKind
    status: Literal["pending", "sending", "sent", "failed", "skipped"]
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


class AlertBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keywords: list[Annotated[Line, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=20
    )
    countries: list[Region] = Field(default_factory=list, max_length=20)


class AlertOut(AlertBody):
    subscription_id: UUID


class CampaignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: Literal["marketing", "promotions_and_events"]
    headline: Line = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)


class CampaignOut(BaseModel):
    campaign_id: UUID
    queued: int


class Unsubscribed(BaseModel):
    purpose: Purpose
    withdrawn: int


class UnsubscribeQuery(BaseModel):
    token: str = Field(min_length=10, max_length=1000, description="The token of the email's link")
