"""The outbox relay: publishes a service's stored events to its Kafka topic.

In position order, at least once, resuming from the checkpoint it stores in
`outbox_relay` after every published batch. It reads only up to the store's
`safe_position` (a barrier on the appenders' advisory lock), so an event that
commits late with a lower position is never skipped.

One relay per service database publishes (a session advisory lock elects
it); other replicas wait as stand-bys. Appends wake it with NOTIFY; it also
polls, in case a notification is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from ac_events.store import NOTIFY_CHANNEL, EventStore, StoredEvent
from ac_events.tracing import inject_headers, span_from_traceparent

log = logging.getLogger(__name__)
tracer = trace.get_tracer("ac_events.relay")

_CHECKPOINT = "SELECT position FROM outbox_relay WHERE topic = $1"
_SAVE = """
INSERT INTO outbox_relay (topic, position, updated_at) VALUES ($1, $2, now())
ON CONFLICT (topic) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
"""
_NEWEST = "SELECT coalesce(max(position), 0) FROM events"
_OLDEST_UNPUBLISHED = (
    "SELECT extract(epoch FROM recorded_at)::float8 FROM events"
    " WHERE position > $1 ORDER BY position LIMIT 1"
)
_PARTITIONER = DefaultPartitioner()


def _leader_key(topic: str) -> int:
    return 0x0AC1_0000_0000 | zlib.crc32(topic.encode())


def message_headers(row: StoredEvent) -> list[tuple[str, bytes]]:
    """Kafka headers of a published event: ids for routing, and the current trace context."""
    return [
        ("ac-event-id", row.event_id.encode()),
        ("ac-type", row.type.encode()),
        ("ac-position", str(row.position).encode()),
        *inject_headers(),
    ]


@dataclass
class RelayStats:
    published: int = 0
    batches: int = 0
    checkpoint: int = 0
    backlog: int = 0
    errors: int = 0
    leader: bool = False
    oldest_unpublished_at: float | None = None
    """When the oldest event not yet published was stored (epoch seconds), None if none."""
    wakeups: asyncio.Event = field(default_factory=asyncio.Event, repr=False)


class OutboxRelay:
    def __init__(
        self,
        store: EventStore,
        producer: AIOKafkaProducer,
        topic: str,
        *,
        batch_size: int = 5000,
        poll_interval_s: float = 0.5,
    ) -> None:
        self.store = store
        self.producer = producer
        self.topic = topic
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.stats = RelayStats()
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()
        self.stats.wakeups.set()

    async def run(self) -> None:
        """Publish until `stop()`; retries (from the checkpoint) after any failure.

        Leadership is a session lock: when the leader's connection is lost (PostgreSQL
        restarted, the session ended), the lock has gone with it and another replica may
        hold it now. So the relay stops publishing, takes a new connection and is elected
        again before it publishes anything more.
        """
        while not self._stopping.is_set():
            try:
                async with self.store.pool.acquire() as leader_conn:
                    await self._lead(leader_conn)
            except Exception as exc:  # the leader's session is gone: be elected again
                self.stats.errors += 1
                self.stats.leader = False
                log.warning("relay %s lost its session, electing again: %s", self.topic,
                            type(exc).__name__)  # fmt: skip
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), 1.0)

    async def _lead(self, leader_conn: asyncpg.Connection) -> None:
        """Become the leader on this connection, then publish while it lasts."""
        await self._become_leader(leader_conn)
        if self._stopping.is_set():
            return

        def wake(*_: object) -> None:
            self.stats.wakeups.set()

        await leader_conn.add_listener(NOTIFY_CHANNEL, wake)
        try:
            while not self._stopping.is_set():
                if leader_conn.is_closed():
                    raise ConnectionError("the leader's session has ended")
                try:
                    await self.publish_pending()
                    newest = await self._newest()
                except Exception as exc:  # Kafka or PostgreSQL down: retry from the checkpoint
                    self.stats.errors += 1
                    log.warning("relay %s failed, retrying: %s", self.topic, type(exc).__name__)
                    await asyncio.sleep(1.0)
                    continue
                self.stats.wakeups.clear()
                if newest > self.stats.checkpoint:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stats.wakeups.wait(), self.poll_interval_s)
        finally:
            self.stats.leader = False
            if not leader_conn.is_closed():
                with contextlib.suppress(Exception):
                    await leader_conn.remove_listener(NOTIFY_CHANNEL, wake)
                    await leader_conn.execute("SELECT pg_advisory_unlock_all()")

    async def _become_leader(self, conn: asyncpg.Connection) -> None:
        key = _leader_key(self.topic)
        while not self._stopping.is_set():
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
                self.stats.leader = True
                log.info("relay for %s is the leader", self.topic)
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 2.0)

    async def _newest(self) -> int:
        return int(await self.store.pool.fetchval(_NEWEST))

    async def publish_pending(self) -> int:
        """Publish everything committed up to the safe position; returns how many."""
        pool = self.store.pool
        checkpoint = int(await pool.fetchval(_CHECKPOINT, self.topic) or 0)
        self.stats.checkpoint = checkpoint
        safe = await self.store.safe_position()
        self.stats.backlog = safe - checkpoint
        self.stats.oldest_unpublished_at = (
            await pool.fetchval(_OLDEST_UNPUBLISHED, checkpoint) if safe > checkpoint else None
        )
        published = 0
        while checkpoint < safe and not self._stopping.is_set():
            rows = await self.store.read_after(checkpoint, self.batch_size, up_to=safe)
            if not rows:
                break
            await self._publish(rows)
            checkpoint = rows[-1].position
            await pool.execute(_SAVE, self.topic, checkpoint)
            published += len(rows)
            self.stats.published += len(rows)
            self.stats.batches += 1
            self.stats.checkpoint = checkpoint
            self.stats.backlog = safe - checkpoint
        if checkpoint >= safe:
            self.stats.oldest_unpublished_at = None
        return published

    async def _publish(self, rows: list[StoredEvent]) -> None:
        """Publish rows in order, as one batch per partition at a time (issue 20: a record
        sent alone costs the producer a future, a partitioner call and a lookup each). The
        partition of a key is the producer's own default partitioner's."""
        every = sorted(await self.producer.partitions_for(self.topic))
        open_batches: dict[int, BatchBuilder] = {}
        sent: list[asyncio.Future[object]] = []
        for row in rows:
            key = (row.subject_id or row.stream_id).encode()
            if row.traceparent:  # the relay's span joins the trace of the appending request
                with span_from_traceparent(
                    f"publish {row.type}", row.traceparent, kind=SpanKind.PRODUCER, tracer=tracer
                ):
                    headers = message_headers(row)
            else:
                headers = message_headers(row)
            partition = _PARTITIONER(key, every, every)
            batch = open_batches.get(partition)
            if batch is None:
                batch = open_batches[partition] = self.producer.create_batch()
            if batch.append(key=key, value=row.data, timestamp=None, headers=headers) is None:
                sent.append(await self.producer.send_batch(batch, self.topic, partition=partition))
                batch = open_batches[partition] = self.producer.create_batch()
                if batch.append(key=key, value=row.data, timestamp=None, headers=headers) is None:
                    raise ValueError(f"event {row.event_id} is larger than a whole batch")
        for partition, batch in open_batches.items():
            sent.append(await self.producer.send_batch(batch, self.topic, partition=partition))
        for fut in sent:
            await fut
