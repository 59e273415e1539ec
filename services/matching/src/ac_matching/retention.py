"""Matching's retention job: a provision record is kept its period from the provision
(`ac_events.retention`, `provision_record`: at least three years), then its row goes (the
record and the copy of what was sent); `DataShared` stays in the log, pseudonymous, and
`ProvisionRecordsRemoved` records how many went, in the same transaction."""

from __future__ import annotations

from datetime import datetime

from ac_events.catalogue import ProvisionRecordsRemoved, RecordKind
from ac_events.catalogue.streams import retention_stream
from ac_events.retention import RETENTION
from ac_events.store import EventStore
from ac_matching import store


async def remove_provision_records(events: EventStore, now: datetime) -> int:
    period = RETENTION[RecordKind.PROVISION_RECORD]
    cutoff = period.cutoff(now)
    async with events.pool.acquire() as conn, conn.transaction():
        removed = await store.remove_disclosures_before(conn, cutoff)
        record = ProvisionRecordsRemoved(cutoff=cutoff, removed=removed, period_days=period.days)
        stream = retention_stream("matching")
        version = await events.stream_version(stream, conn)
        await events.append(stream, version, [record], conn=conn, occurred_at=now)
    return removed
