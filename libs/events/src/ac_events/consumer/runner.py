"""The consumer runner: one consumer group of a service, fed from Kafka.

`ConsumerRunner` joins the group, and on each partition assignment seeks to
the offsets stored in PostgreSQL (`checkpoints`), not to Kafka's committed
ones. Its run loop fetches batches (`getmany`, up to `max_batch` records),
opens them (`records.decode`) and has them applied, one transaction a batch
(`apply`); then it mirrors the stored offsets to Kafka, only so that lag
tooling sees them. Infrastructure errors (PostgreSQL or Kafka unreachable)
never dead-letter anything: the loop backs off, rewinds to the stored
offsets and retries.

On a rebalance, revoked partitions are let go only once the batch in flight
has committed, so the next owner starts after it. `lag()` and the
`stats.lag` gauge count the records behind the partitions' end offsets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import KafkaError

from ac_events.codec import Codec
from ac_events.consumer.apply import Applier
from ac_events.consumer.checkpoints import Checkpoints
from ac_events.consumer.handlers import BatchHandler, Handler, recoverable
from ac_events.consumer.records import ConsumerStats, decode
from ac_events.kafka import dead_letter_topic, ensure_topics, make_producer

log = logging.getLogger("ac_events.consumer")  # the package's name: log lines name the consumer


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: ConsumerRunner) -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        # Let the batch in flight commit first: the next owner then starts after it.
        async with self.runner._applying:
            for tp in revoked:
                self.runner._positions.pop(tp, None)
                self.runner._unpositioned.discard(tp)

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        tps = set(assigned)
        self.runner._unpositioned |= tps
        try:
            await self.runner._seek_to_stored(tps)
        except Exception as exc:  # the run loop retries before it handles these partitions
            log.warning("could not load stored offsets yet: %s", type(exc).__name__)


class ConsumerRunner:
    """Runs one consumer group of a service: handlers in, effects exactly once.

    `handlers` maps an event type to a per-event handler, `batch_handlers` to
    a handler of a run of events of that type (a type has one or the other).
    Both get the runner's connection, inside the transaction that also stores
    the offsets: they must do their work on it, and nothing outside it that
    cannot be repeated.
    """

    def __init__(
        self,
        *,
        group_id: str,
        topics: Sequence[str],
        bootstrap_servers: str,
        pool: asyncpg.Pool,
        codec: Codec,
        handlers: Mapping[str, Handler] | None = None,
        batch_handlers: Mapping[str, BatchHandler] | None = None,
        topic_prefix: str = "",
        max_batch: int = 1000,
        poll_timeout_ms: int = 500,
        max_attempts: int = 3,
        retry_wait_s: float = 0.2,
        retry_wait_max_s: float = 5.0,
        start_from: Literal["earliest", "latest"] = "earliest",
        commit_to_kafka: bool = True,
        create_dead_letter_topic: bool = True,
        producer: AIOKafkaProducer | None = None,
        consumer_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.handlers = dict(handlers or {})
        self.batch_handlers = dict(batch_handlers or {})
        both = self.handlers.keys() & self.batch_handlers.keys()
        if both:
            raise ValueError(f"types with both a handler and a batch handler: {sorted(both)}")
        self.group_id = group_id
        self.topics = list(topics)
        self.bootstrap_servers = bootstrap_servers
        self.pool = pool
        self.codec = codec
        self.dead_letter_topic = dead_letter_topic(group_id, topic_prefix)
        self.max_batch = max_batch
        self.poll_timeout_ms = poll_timeout_ms
        self.max_attempts = max_attempts
        self.retry_wait_s = retry_wait_s
        self.retry_wait_max_s = retry_wait_max_s
        self.start_from = start_from
        self.commit_to_kafka = commit_to_kafka
        self.create_dead_letter_topic = create_dead_letter_topic
        self.stats = ConsumerStats()
        self._handled_types = self.handlers.keys() | self.batch_handlers.keys()
        self._own_producer = producer is None
        self._producer = producer
        self._consumer_options: dict[str, Any] = {
            "session_timeout_ms": 10_000,
            "heartbeat_interval_ms": 2_000,
            "max_poll_interval_ms": 300_000,
            **(consumer_options or {}),
        }
        self._consumer: AIOKafkaConsumer | None = None
        """Created by `start()`: aiokafka clients belong to the running event loop."""
        self._positions: dict[TopicPartition, int] = {}
        """Next offset per assigned partition, as stored in PostgreSQL."""
        self._unpositioned: set[TopicPartition] = set()
        """Assigned partitions not yet sought to their stored offsets."""
        self._checkpoints = Checkpoints(group_id)
        self._applier = Applier(
            group_id=group_id,
            pool=pool,
            checkpoints=self._checkpoints,
            handlers=self.handlers,
            batch_handlers=self.batch_handlers,
            handled_types=self._handled_types,
            dead_letter_topic=self.dead_letter_topic,
            stats=self.stats,
            positions=self._positions,
            max_attempts=max_attempts,
            retry_wait_s=retry_wait_s,
            retry_wait_max_s=retry_wait_max_s,
        )
        self._applying = asyncio.Lock()
        """Held while a batch is applied: a revocation waits for it to commit."""
        self._stopping = asyncio.Event()
        self._started = False
        self._running = False
        self._closed = asyncio.Event()

    # -- life cycle -------------------------------------------------------

    async def start(self) -> None:
        """Connect, create the dead-letter topic, join the group (idempotent)."""
        if self._started:
            return
        self._started = True
        if self.create_dead_letter_topic:
            await ensure_topics(self.bootstrap_servers, [self.dead_letter_topic], partitions=1)
        if self._producer is None:
            self._producer = make_producer(self.bootstrap_servers)
            await self._producer.start()
        self._applier.producer = self._producer
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset=self.start_from,
            **self._consumer_options,
        )
        await self._consumer.start()
        self._consumer.subscribe(self.topics, listener=_Rebalance(self))

    @property
    def _kafka(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("the runner is not started")
        return self._consumer

    async def run(self) -> None:
        """Consume until `stop()`; leaves the group when it returns or is cancelled."""
        await self.start()
        self._running = True
        backoff = self.retry_wait_s
        try:
            while not self._stopping.is_set():
                try:
                    if self._unpositioned:
                        await self._seek_to_stored(set(self._unpositioned))
                    batch = await self._kafka.getmany(
                        timeout_ms=self.poll_timeout_ms, max_records=self.max_batch
                    )
                    if batch:
                        await self._process(batch)
                    self._update_lag_gauge()
                    backoff = self.retry_wait_s
                except Exception as exc:
                    if not recoverable(exc):
                        raise
                    self.stats.errors += 1
                    log.warning(
                        "consumer %s: %s, rewinding to stored offsets in %.1fs",
                        self.group_id,
                        type(exc).__name__,
                        backoff,
                    )
                    self._unpositioned |= self.assignment()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), backoff)
                    backoff = min(backoff * 2, self.retry_wait_max_s)
        finally:
            await self._close()

    async def stop(self) -> None:
        """Finish the batch in hand, commit it, leave the group."""
        self._stopping.set()
        if self._running:
            await self._closed.wait()
        else:
            await self._close()

    async def _close(self) -> None:
        if self._closed.is_set():
            return
        try:
            if self._consumer is not None:
                await self._consumer.stop()  # leaves the group
        finally:
            try:
                if self._own_producer and self._producer is not None:
                    await self._producer.stop()
            finally:
                self._running = False
                self._closed.set()

    # -- positions and lag ------------------------------------------------

    async def _seek_to_stored(self, tps: set[TopicPartition]) -> None:
        """Seek partitions to the offsets PostgreSQL holds (or the start point if none)."""
        assigned = self.assignment()
        self._unpositioned &= assigned
        tps &= assigned
        if not tps:
            return
        ordered = sorted(tps)
        stored = await self._checkpoints.read(self.pool, ordered)
        missing = [tp for tp in ordered if tp not in stored]
        if missing:
            if self.start_from == "earliest":
                stored.update(await self._kafka.beginning_offsets(missing))
            else:
                stored.update(await self._kafka.end_offsets(missing))
        for tp in ordered:
            self._kafka.seek(tp, stored[tp])
            self._positions[tp] = stored[tp]
        self._unpositioned -= tps

    async def lag(self) -> int:
        """Records not yet processed: sum over assigned partitions of end offset - position."""
        tps = [tp for tp in self.assignment() if tp in self._positions]
        if not tps:
            return 0
        ends = await self._kafka.end_offsets(tps)
        return sum(max(0, ends[tp] - self._positions[tp]) for tp in tps)

    def assignment(self) -> set[TopicPartition]:
        return set(self._consumer.assignment()) if self._consumer is not None else set()

    def positions(self) -> dict[TopicPartition, int]:
        """The next offset to process per assigned partition (as stored in PostgreSQL)."""
        return dict(self._positions)

    def _update_lag_gauge(self) -> None:
        total = 0
        for tp, position in self._positions.items():
            high = self._kafka.highwater(tp)
            if high is not None:
                total += max(0, high - position)
        self.stats.lag = total

    # -- one batch --------------------------------------------------------

    async def _process(
        self, batch: Mapping[TopicPartition, list[ConsumerRecord[bytes, bytes]]]
    ) -> None:
        records = [r for tp, rs in batch.items() if tp not in self._unpositioned for r in rs]
        items = [await decode(r, self.codec, self._handled_types) for r in records]
        if not items:
            return
        async with self._applying:
            tally = await self._applier.apply_batch(items)
            self.stats.batches += 1
        if self.commit_to_kafka:
            await self._commit_to_kafka(tally.positions)

    async def _commit_to_kafka(self, positions: Mapping[TopicPartition, int]) -> None:
        """Mirror the stored offsets to Kafka, for lag tooling; PostgreSQL stays the truth."""
        assigned = self.assignment()
        offsets = {tp: n for tp, n in positions.items() if tp in assigned}
        if not offsets:
            return
        try:
            await self._kafka.commit(offsets)
        except KafkaError as exc:
            log.info("consumer %s: Kafka commit skipped: %s", self.group_id, type(exc).__name__)
