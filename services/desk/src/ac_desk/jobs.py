"""The desk's scheduled work, on its injected clock (tests move it instead of waiting):

- `deadlines`: warns staff of a request due soon, escalates an overdue one to the
  supervisors (each once; notifications sends the messages);
- `remove_guests`: a guest's request whose retention has ended goes: its row, and the
  guest's data key at identity (every copy of what they wrote reads ERASED), with
  `GuestRequestsRemoved` (how many, up to when) in the same transaction.
"""

from __future__ import annotations

from ac_desk import domain
from ac_desk import store as sql
from ac_desk.commands import Desk
from ac_events.catalogue import GuestRequestsRemoved, RecordKind
from ac_events.catalogue.streams import retention_stream
from ac_events.retention import RETENTION

BATCH = 500


async def deadlines(desk: Desk) -> int:
    """One look at the due dates; returns how many requests were warned of or escalated."""
    now = desk.clock()
    due = await sql.needing_attention(desk.pool, now, now + desk.rules.warn_before)
    for request_id in due:
        await desk.record(request_id, lambda c: domain.deadlines(c, now, desk.rules))
    return len(due)


async def remove_guests(desk: Desk) -> int:
    """One run of the guest requests' retention; returns how many were removed."""
    period = RETENTION[RecordKind.GUEST_REQUEST]
    now = desk.clock()
    cutoff = period.cutoff(now)
    events = desk.events
    async with desk.pool.acquire() as conn, conn.transaction():
        rows = await sql.guests_closed_before(conn, cutoff, BATCH)
        for row in rows:
            await desk.identity.destroy_guest_key(row["subject_id"])
            desk.keyring.forget(row["subject_id"])
            await sql.delete(conn, row["request_id"])
        record = GuestRequestsRemoved(cutoff=cutoff, removed=len(rows), period_days=period.days)
        stream = retention_stream("desk")
        version = await events.stream_version(stream, conn)
        await events.append(stream, version, [record], conn=conn, occurred_at=now)
    return len(rows)
