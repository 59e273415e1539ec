"""Notifications' retention job: what a delivered message said is removed once its period
ends (`ac_events.retention`, `message_body`); the delivery (kind, time, status) stays, and
`MessageBodiesRemoved` records how many, in the same transaction."""

from __future__ import annotations

from datetime import datetime

from ac_events.catalogue import MessageBodiesRemoved, RecordKind
from ac_events.catalogue.streams import retention_stream
from ac_events.retention import RETENTION
from ac_events.store import EventStore
from ac_notifications import store


async def remove_bodies(events: EventStore, now: datetime) -> int:
    period = RETENTION[RecordKind.MESSAGE_BODY]
    cutoff = period.cutoff(now)
    async with events.pool.acquire() as conn, conn.transaction():
        removed = await store.remove_bodies(conn, cutoff, now)
        record = MessageBodiesRemoved(cutoff=cutoff, removed=removed, period_days=period.days)
        stream = retention_stream("notifications")
        version = await events.stream_version(stream, conn)
        await events.append(stream, version, [record], conn=conn, occurred_at=now)
    return removed
