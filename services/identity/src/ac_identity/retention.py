"""Identity's retention job: a self-registered account whose address nobody confirmed is
removed when its period ends (`ac_events.retention`, `unverified_account`).

The account, its profile and tokens go, its data key is destroyed and
`SubjectErased` tells every service; `UnverifiedAccountsRemoved` records how
many went and up to which registration time (nothing about who), in the
same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ac_events.catalogue import RecordKind, SubjectErased, UnverifiedAccountsRemoved
from ac_events.catalogue.streams import retention_stream, user_stream
from ac_events.retention import RETENTION
from ac_identity import store
from ac_identity.commands import Accounts

BATCH = 500


async def remove_unverified(accounts: Accounts, now: datetime) -> int:
    """One run: removes what is due at `now` (at most `BATCH`); returns how many."""
    period = RETENTION[RecordKind.UNVERIFIED_ACCOUNT]
    cutoff = period.cutoff(now)
    events = accounts.events
    async with accounts.pool.acquire() as conn, conn.transaction():
        rows = await store.unverified_before(conn, cutoff, BATCH)
        for row in rows:
            subject = row["subject_id"]
            await store.delete_account(conn, subject)
            await accounts.keyring.destroy(subject)
            await store.record_erasure(conn, subject, now, now)
            stream = user_stream(subject)
            version = await events.stream_version(stream, conn)
            erased = SubjectErased(services_confirmed=("identity",))
            await events.append(stream, version, [erased], subject_id=subject, conn=conn)
        record = UnverifiedAccountsRemoved(cutoff=cutoff, removed=len(rows),
                                           period_days=period.days)  # fmt: skip
        stream = retention_stream("identity")
        version = await events.stream_version(stream, conn)
        await events.append(stream, version, [record], conn=conn)
    return len(rows)


async def prune_reset_links(accounts: Accounts, now: datetime) -> None:
    """Password reset links used or expired a day ago are of no more use: only a hash and a
    pseudonymous id, removed (housekeeping, not a period of `ac_events.retention`)."""
    await store.prune_resets(accounts.pool, now - timedelta(days=1))
