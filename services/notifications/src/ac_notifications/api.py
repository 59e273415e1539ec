"""HTTP routes of the notifications service: history, job alerts, campaigns, unsubscribe links.

- a person: their own notification history and job-alert subscriptions;
- staff: marketing and promotion campaigns (sent only to people whose consent
  allows it, checked again at send time);
- anyone holding an unsubscribe link: withdraw that consent (the link is
  signed; the withdrawal is recorded by the consent service as `ConsentWithdrawn`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import httpx
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ac_events.catalogue import AlertSubscribed, NotificationKind, Purpose
from ac_events.catalogue.vocab import Region
from ac_events.store import ANY_VERSION, EventStore
from ac_notifications import store
from ac_notifications.delivery import stream
from ac_notifications.domain import BadLink, read_unsubscribe_token
from ac_notifications.handlers import queue
from ac_notifications.settings import NotificationsSettings
from ac_platform.auth import Caller, Principal, ServiceToken, require
from ac_platform.service import resources

router = APIRouter()

User = Depends(require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR))
Student = Depends(require(Caller.STUDENT))
Staff = Depends(require(Caller.STAFF))
SubjectId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]


def _own(principal: Principal, subject_id: str) -> None:
    if principal.subject != subject_id and principal.role != Caller.STAFF:
        raise Refused("not_your_data", "only your own notifications")


class NotificationOut(BaseModel):
    message_id: UUID
    kind: NotificationKind
    status: Literal["pending", "sending", "sent", "failed", "skipped"]
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


@router.get("/subjects/{subject_id}/notifications", tags=["notifications"],
            summary="A person's notification history (no addresses)")  # fmt: skip
async def history(
    request: Request, subject_id: SubjectId, principal: Principal = User
) -> list[NotificationOut]:
    _own(principal, subject_id)
    rows = await store.history(resources(request).db, subject_id)
    return [NotificationOut(**dict(r)) for r in rows]


class AlertBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keywords: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=20
    )
    countries: list[Region] = Field(default_factory=list, max_length=20)


class AlertOut(AlertBody):
    subscription_id: UUID


@router.post("/subjects/{subject_id}/alerts", status_code=201, tags=["notifications"],
             summary="Subscribe to job alerts (sent only with the cv_and_job_alerts consent)")  # fmt: skip
async def subscribe(
    request: Request, subject_id: SubjectId, body: AlertBody, principal: Principal = Student
) -> AlertOut:
    _own(principal, subject_id)
    res = resources(request)
    events: EventStore = res.extras["store"]  # type: ignore[assignment]
    subscription_id = uuid.uuid4()
    event = AlertSubscribed(
        subscription_id=subscription_id,
        keywords=tuple(body.keywords),
        countries=tuple(body.countries),
    )
    async with res.db.acquire() as conn, conn.transaction():
        await store.add_subscription(
            conn, subscription_id, subject_id, body.keywords, body.countries
        )
        await events.append(
            stream(subject_id), ANY_VERSION, [event], subject_id=subject_id, conn=conn
        )
    return AlertOut(subscription_id=subscription_id, **body.model_dump())


@router.get("/subjects/{subject_id}/alerts", tags=["notifications"], summary="My job alerts")
async def alerts(
    request: Request, subject_id: SubjectId, principal: Principal = User
) -> list[AlertOut]:
    _own(principal, subject_id)
    rows = await store.subscriptions_of(resources(request).db, subject_id)
    return [
        AlertOut(
            subscription_id=r["subscription_id"], keywords=r["keywords"], countries=r["countries"]
        )
        for r in rows
    ]


@router.delete("/subjects/{subject_id}/alerts/{subscription_id}", status_code=204,
               tags=["notifications"], summary="End a job alert")  # fmt: skip
async def unsubscribe_alert(
    request: Request, subject_id: SubjectId, subscription_id: UUID, principal: Principal = Student
) -> None:
    _own(principal, subject_id)
    if not await store.end_subscription(resources(request).db, subscription_id, subject_id):
        raise Refused("no_such_alert", "no such job alert")


class CampaignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: Literal["marketing", "promotions_and_events"]
    headline: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)


class CampaignOut(BaseModel):
    campaign_id: UUID
    queued: int


@router.post("/campaigns", status_code=201, tags=["staff"],
             summary="A marketing or promotion campaign (opt-in consent only)")  # fmt: skip
async def campaign(request: Request, body: CampaignBody, _: Principal = Staff) -> CampaignOut:
    campaign_id = uuid.uuid4()
    kind = NotificationKind.MARKETING if body.purpose == "marketing" else NotificationKind.PROMOTION
    params = {"headline": body.headline, "body": body.body}
    res = resources(request)
    async with res.db.acquire() as conn, conn.transaction():
        audience = await store.audience(conn, [body.purpose])
        for subject in audience:
            await queue(conn, campaign_id, kind, subject, params)
    return CampaignOut(campaign_id=campaign_id, queued=len(audience))


class Unsubscribed(BaseModel):
    purpose: Purpose
    withdrawn: int


@router.get("/unsubscribe", tags=["notifications"],
            summary="Follow an unsubscribe link: the consent for its purpose is withdrawn")  # fmt: skip
async def unsubscribe(
    request: Request, token: Annotated[str, Query(min_length=10, max_length=1000)]
) -> Unsubscribed:
    res = resources(request)
    settings: NotificationsSettings = res.settings  # type: ignore[assignment]
    try:
        subject, purpose = read_unsubscribe_token(
            settings.link_key.get_secret_value().encode(), token
        )
    except BadLink as exc:
        raise Refused("bad_link", str(exc)) from exc
    consent: httpx.AsyncClient = res.extras["consent_http"]  # type: ignore[assignment]
    service: ServiceToken = res.extras["service_token"]  # type: ignore[assignment]
    withdrawn = 0
    for consent_id in await store.active_consents(res.db, subject, purpose.value):
        r = await consent.delete(
            f"/subjects/{subject}/consents/{consent_id}", headers=await service.headers()
        )
        if r.status_code >= 400 and r.status_code != 422:
            raise Refused("consent_unavailable", "try again later")
        withdrawn += r.status_code == 200
    return Unsubscribed(purpose=purpose, withdrawn=withdrawn)
