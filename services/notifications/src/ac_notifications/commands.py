"""Notifications' commands: a message queued once, job alerts subscribed and ended, a
campaign queued for its audience, an unsubscribe link followed. Each writes its rows and
its events in one transaction; nothing is sent here (the sender, `delivery.py`, does).
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import asyncpg

from ac_contracts.errors import Refused
from ac_contracts.notifications import AlertBody, AlertOut, CampaignBody, CampaignOut, Unsubscribed
from ac_events.catalogue import AlertSubscribed, NotificationKind, Purpose
from ac_events.catalogue.streams import notifications_stream
from ac_events.store import ANY_VERSION, EventStore
from ac_notifications import store
from ac_notifications.domain import (
    NEEDS_CONSENT,
    BadLink,
    idempotency_key,
    message_id,
    read_unsubscribe_token,
)
from ac_platform.peers import Peers

RECORDS_NEED_NO_VERSION = ANY_VERSION
"""`notifications-<subject>` records what was sent to a person and what they subscribed to:
no decision reads that stream's own state (the messages table decides, by its idempotency
keys), so appends to it need no expected version."""


async def queue(
    conn: asyncpg.Connection,
    cause: UUID,
    kind: NotificationKind,
    subject_id: str,
    params: dict[str, Any],
) -> None:
    key = idempotency_key(str(cause), kind, subject_id)
    purpose = NEEDS_CONSENT.get(kind)
    await store.add_message(
        conn,
        message_id(key),
        key,
        subject_id,
        kind.value,
        cause,
        params,
        purpose.value if purpose else None,
    )


async def subscribe(events: EventStore, subject_id: str, body: AlertBody) -> AlertOut:
    subscription_id = uuid.uuid4()
    event = AlertSubscribed(subscription_id=subscription_id, keywords=tuple(body.keywords),
                            countries=tuple(body.countries))  # fmt: skip
    async with events.pool.acquire() as conn, conn.transaction():
        await store.add_subscription(conn, subscription_id, subject_id, body.keywords,
                                     body.countries)  # fmt: skip
        await events.append(notifications_stream(subject_id), RECORDS_NEED_NO_VERSION, [event],
                            subject_id=subject_id, conn=conn)  # fmt: skip
    return AlertOut(subscription_id=subscription_id, **body.model_dump())


async def end_alert(pool: asyncpg.Pool, subject_id: str, subscription_id: UUID) -> None:
    if not await store.end_subscription(pool, subscription_id, subject_id):
        raise Refused("no_such_alert", "no such job alert")


async def campaign(pool: asyncpg.Pool, body: CampaignBody) -> CampaignOut:
    """A campaign queued for everyone whose consent allows it now (checked again at send)."""
    campaign_id = uuid.uuid4()
    kind = NotificationKind.MARKETING if body.purpose == "marketing" else NotificationKind.PROMOTION
    params = {"headline": body.headline, "body": body.body}
    async with pool.acquire() as conn, conn.transaction():
        audience = await store.audience(conn, [body.purpose])
        for subject in audience:
            await queue(conn, campaign_id, kind, subject, params)
    return CampaignOut(campaign_id=campaign_id, queued=len(audience))


async def unsubscribe(
    pool: asyncpg.Pool, peers: Peers, link_key: bytes, token: str
) -> Unsubscribed:
    """A signed unsubscribe link: the consent service withdraws that purpose's consents (as
    this service, which it lets withdraw for a person)."""
    try:
        subject, purpose = read_unsubscribe_token(link_key, token)
    except BadLink as exc:
        raise Refused("bad_link", str(exc)) from exc
    withdrawn = 0
    for consent_id in await store.active_consents(pool, subject, purpose.value):
        r = await peers.consent_http.delete(
            f"/subjects/{subject}/consents/{consent_id}",
            headers=await peers.service_token.headers(),
        )
        if r.status_code >= 400 and r.status_code != 404:
            raise Refused("consent_unavailable", "try again later")
        withdrawn += r.status_code == 200
    return Unsubscribed(purpose=Purpose(purpose), withdrawn=withdrawn)
