"""The event store of one service, on PostgreSQL (architecture.md §5).

`append` writes events with optimistic concurrency, in the caller's
transaction when given a connection, so a service's change and its events
commit together (the `events` table is the transactional outbox).

Every append holds a shared advisory lock from before it draws its first
position until it commits. The outbox relay takes the same lock exclusively
for an instant (`safe_position`): once it holds it, no append is in flight,
so every position up to the current maximum has committed or rolled back and
can be published without skipping one that commits late.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from ac_events.catalogue.base import Event
from ac_events.codec import Codec, SealedEvent
from ac_events.context import correlation_id as current_correlation_id
from ac_events.envelope import GENESIS_HASH, Envelope
from ac_events.tracing import traceparent_now

OUTBOX_LOCK = 0x0AC0_0001
"""Advisory lock key shared by appenders (shared) and the relay's barrier (exclusive)."""

NOTIFY_CHANNEL = "ac_outbox"
"""Notified on every append's commit, to wake the relay."""

NO_STREAM = 0
"""`expected_version` for a stream that must not exist yet."""

ANY_VERSION = -1
"""`expected_version` that skips the concurrency check."""


class ConcurrencyError(Exception):
    """The stream moved on since the caller read it."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id!r} is at version {actual}, expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True, slots=True)
class Appended:
    stream_id: str
    version: int
    """The stream's version after the append."""
    events: tuple[SealedEvent, ...]
    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A row of the store as the relay publishes it."""

    position: int
    event_id: str
    type: str
    stream_id: str
    subject_id: str | None
    traceparent: str | None
    data: bytes


_LOCK_SHARED = "SELECT pg_advisory_xact_lock_shared($1)"

_STREAM_HEAD = """
INSERT INTO streams (stream_id, version, last_hash) VALUES ($1, 0, $2)
ON CONFLICT (stream_id) DO UPDATE SET version = streams.version
RETURNING version, last_hash
"""

_INSERT = """
INSERT INTO events
    (event_id, stream_id, stream_version, type, subject_id, occurred_at, hash, data, traceparent)
SELECT e.event_id, $1, e.stream_version, e.type, $2, e.occurred_at, e.hash, e.data, e.traceparent
FROM unnest($3::uuid[], $4::int[], $5::text[], $6::timestamptz[], $7::text[], $8::bytea[], $9::text[])
    AS e(event_id, stream_version, type, occurred_at, hash, data, traceparent)
ORDER BY e.stream_version
RETURNING position
"""

_ADVANCE = """
WITH moved AS (UPDATE streams SET version = $2, last_hash = $3 WHERE stream_id = $1 RETURNING 1)
SELECT pg_notify($4, '') FROM moved
"""

_READ_STREAM = """
SELECT position, data FROM events
WHERE stream_id = $1 AND stream_version >= $2
ORDER BY stream_version
"""

_READ_AFTER = """
SELECT position, event_id::text, type, stream_id, subject_id, traceparent, data FROM events
WHERE position > $1 AND position <= $2
ORDER BY position
LIMIT $3
"""


class EventStore:
    def __init__(self, pool: asyncpg.Pool, codec: Codec, producer: str) -> None:
        self.pool = pool
        self.codec = codec
        self.producer = producer

    @asynccontextmanager
    async def _transaction(
        self, conn: asyncpg.Connection | None
    ) -> AsyncIterator[asyncpg.Connection]:
        if conn is not None:
            if not conn.is_in_transaction():
                raise RuntimeError("append(conn=...) needs the caller's open transaction")
            yield conn
            return
        async with self.pool.acquire() as own, own.transaction():
            yield own

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        *,
        subject_id: str | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        traceparent: str | None = None,
        conn: asyncpg.Connection | None = None,
        occurred_at: datetime | None = None,
    ) -> Appended:
        """Append `events` to a stream at `expected_version` (`NO_STREAM`, `ANY_VERSION`, or n).

        With `conn`, the events join the caller's transaction; otherwise the
        append commits on its own. Raises `ConcurrencyError` if the stream moved.
        The current trace context is stored with the events (unless one is
        given), so the relay and every consumer continue the same trace.
        `occurred_at` is when they happened, by the service's own clock (default: now).
        """
        if not events:
            raise ValueError("nothing to append")
        traceparent = traceparent or traceparent_now()
        correlation_id = correlation_id or current_correlation_id.get()
        # Encrypt before taking any lock: the keyring may need a round trip.
        payloads = [await self.codec.encrypt_payload(e, subject_id) for e in events]
        async with self._transaction(conn) as tx:
            await tx.execute(_LOCK_SHARED, OUTBOX_LOCK)
            head = await tx.fetchrow(_STREAM_HEAD, stream_id, GENESIS_HASH)
            assert head is not None
            version, prev_hash = int(head["version"]), str(head["last_hash"])
            if expected_version != ANY_VERSION and expected_version != version:
                raise ConcurrencyError(stream_id, expected_version, version)
            sealed: list[SealedEvent] = []
            for event, payload in zip(events, payloads, strict=True):
                version += 1
                s = Codec.seal_record(
                    event,
                    payload,
                    stream_id=stream_id,
                    stream_version=version,
                    subject_id=subject_id,
                    producer=self.producer,
                    prev_hash=prev_hash,
                    correlation_id=correlation_id,
                    causation_id=causation_id,
                    traceparent=traceparent,
                    occurred_at=occurred_at,
                )
                sealed.append(s)
                prev_hash = s.hash
            rows = await tx.fetch(
                _INSERT,
                stream_id,
                subject_id,
                [s.event_id for s in sealed],
                [s.stream_version for s in sealed],
                [s.type for s in sealed],
                [s.occurred_at for s in sealed],
                [s.hash for s in sealed],
                [s.data for s in sealed],
                [s.traceparent for s in sealed],
            )
            await tx.execute(_ADVANCE, stream_id, version, prev_hash, NOTIFY_CHANNEL)
        return Appended(stream_id, version, tuple(sealed), tuple(int(r["position"]) for r in rows))

    async def stream_version(self, stream_id: str, conn: asyncpg.Connection | None = None) -> int:
        """A stream's current version (0 when it does not exist), on `conn` if given."""
        version = await (conn or self.pool).fetchval(
            "SELECT version FROM streams WHERE stream_id = $1", stream_id
        )
        return int(version or 0)

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[Envelope[Event]]:
        rows = await self.pool.fetch(_READ_STREAM, stream_id, from_version)
        return [await self.codec.open(r["data"], r["position"]) for r in rows]

    async def read_after(
        self, position: int, limit: int = 1000, up_to: int | None = None
    ) -> list[StoredEvent]:
        """Stored rows after a global position (the relay's and a replay's read)."""
        up_to = up_to if up_to is not None else 2**63 - 1
        rows = await self.pool.fetch(_READ_AFTER, position, up_to, limit)
        return [StoredEvent(*r.values()) for r in rows]

    async def safe_position(self) -> int:
        """The highest position below which nothing can still commit (see module doc)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", OUTBOX_LOCK)
            return int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM events"))
