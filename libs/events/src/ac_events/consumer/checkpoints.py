"""A consumer group's checkpoints: what it has processed, stored in PostgreSQL.

Publishing is at least once, so effects are made exactly once by storing
what a group has processed in the SAME transaction as its handlers' effects
(tables of `migrations/0002_consumers.sql`):

- `consumer_offsets`, the next offset per (group, topic, partition). On
  partition assignment the runner seeks there: PostgreSQL, not Kafka's
  committed offsets, is the truth. A transaction first locks and re-reads
  the rows of its partitions (`lock`, creating missing rows at 0): a
  consumer still finishing a batch of partitions it has just lost then
  applies nothing the new owner applied, because records below the fence it
  reads are skipped. `save` moves the offsets forward, never back.
- `consumer_streams`, per (group, producer, stream) the last applied stream
  version: a republished event comes back on a new offset, and
  `claim_fresh` leaves it out (and records the versions of those it keeps).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import asyncpg
from aiokafka import TopicPartition

from ac_events.catalogue.base import Event
from ac_events.consumer.records import Item
from ac_events.envelope import Envelope

_LOCK_OFFSETS = """
INSERT INTO consumer_offsets AS o (group_id, topic, partition, next_offset)
SELECT $1, t, p, 0 FROM unnest($2::text[], $3::int[]) AS x(t, p)
ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = o.next_offset
RETURNING topic, partition, next_offset
"""

_SAVE_OFFSETS = """
UPDATE consumer_offsets AS o SET next_offset = greatest(o.next_offset, x.n), updated_at = now()
FROM unnest($2::text[], $3::int[], $4::bigint[]) AS x(t, p, n)
WHERE o.group_id = $1 AND o.topic = x.t AND o.partition = x.p
"""

_READ_OFFSETS = """
SELECT topic, partition, next_offset FROM consumer_offsets
WHERE group_id = $1 AND (topic, partition) IN (SELECT * FROM unnest($2::text[], $3::int[]))
"""

_READ_VERSIONS = """
SELECT producer, stream_id, version FROM consumer_streams
WHERE group_id = $1 AND (producer, stream_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))
"""

_SAVE_VERSIONS = """
INSERT INTO consumer_streams AS s (group_id, producer, stream_id, version, event_id)
SELECT $1, pr, st, v, e
FROM unnest($2::text[], $3::text[], $4::int[], $5::uuid[]) AS x(pr, st, v, e)
ON CONFLICT (group_id, producer, stream_id) DO UPDATE
SET version = EXCLUDED.version, event_id = EXCLUDED.event_id, applied_at = now()
WHERE s.version < EXCLUDED.version
"""


def _offsets(rows: Iterable[asyncpg.Record]) -> dict[TopicPartition, int]:
    return {TopicPartition(r["topic"], r["partition"]): int(r["next_offset"]) for r in rows}


class Checkpoints:
    """The stored offsets and applied stream versions of one consumer group."""

    def __init__(self, group_id: str) -> None:
        self.group_id = group_id

    async def read(
        self, pool: asyncpg.Pool, tps: Sequence[TopicPartition]
    ) -> dict[TopicPartition, int]:
        """The stored next offsets of `tps` (partitions with none stored are absent)."""
        rows = await pool.fetch(
            _READ_OFFSETS, self.group_id, [tp.topic for tp in tps], [tp.partition for tp in tps]
        )
        return _offsets(rows)

    async def lock(
        self, conn: asyncpg.Connection, tps: Iterable[TopicPartition]
    ) -> dict[TopicPartition, int]:
        """Lock the offset rows of `tps` until the transaction ends; their next offsets."""
        ordered = sorted(set(tps))
        rows = await conn.fetch(
            _LOCK_OFFSETS,
            self.group_id,
            [t.topic for t in ordered],
            [t.partition for t in ordered],
        )
        return _offsets(rows)

    async def save(self, conn: asyncpg.Connection, positions: Mapping[TopicPartition, int]) -> None:
        """Store next offsets (rows locked by `lock`); a stored offset never goes back."""
        saved = sorted(positions)
        await conn.execute(
            _SAVE_OFFSETS,
            self.group_id,
            [t.topic for t in saved],
            [t.partition for t in saved],
            [positions[t] for t in saved],
        )

    async def claim_fresh(self, conn: asyncpg.Connection, wanted: Sequence[Item]) -> list[Item]:
        """The items not applied before (by stream version), and record them as applied."""
        if not wanted:
            return []
        envelopes = [i.envelope for i in wanted if i.envelope is not None]
        keys = sorted({(e.producer, e.stream_id) for e in envelopes})
        rows = await conn.fetch(
            _READ_VERSIONS, self.group_id, [k[0] for k in keys], [k[1] for k in keys]
        )
        versions = {(r["producer"], r["stream_id"]): int(r["version"]) for r in rows}
        applied: dict[tuple[str, str], Envelope[Event]] = {}
        fresh: list[Item] = []
        for item in wanted:
            env = item.envelope
            assert env is not None
            key = (env.producer, env.stream_id)
            if env.stream_version <= versions.get(key, 0):
                continue
            versions[key] = env.stream_version
            applied[key] = env
            fresh.append(item)
        if applied:
            await conn.execute(
                _SAVE_VERSIONS,
                self.group_id,
                [k[0] for k in applied],
                [k[1] for k in applied],
                [e.stream_version for e in applied.values()],
                [e.event_id for e in applied.values()],
            )
        return fresh
