"""The consumer runner: a service's handlers fed from Kafka, effects exactly once.

Publishing is at least once (DESIGN §5), so the runner makes effects exactly
once by storing what it has processed in the SAME PostgreSQL transaction as
the handlers' effects (tables of `migrations/0002_consumers.sql`):

- `consumer_offsets`, the next offset per (group, topic, partition). On
  partition assignment the runner seeks there: PostgreSQL, not Kafka's
  committed offsets, is the truth (offsets are committed to Kafka afterwards
  only so that lag tooling sees them). The rows of a batch's partitions are
  locked and re-read inside its transaction, so a consumer still finishing a
  batch of partitions it has just lost applies nothing the new owner applied.
- `consumer_streams`, per (group, producer, stream) the last applied stream
  version: a republished event comes back on a new offset, and is skipped.

A batch (`getmany`, up to `max_batch` records) is one transaction. If it
fails because of a handler, the runner falls back to one record per
transaction with bounded retries; a record whose handler still fails, and a
record that cannot be decoded or has a type the catalogue does not know, goes
to the group's dead-letter topic (see `dead_letters`) and the group goes on.
Records of catalogue types without a handler are acknowledged and skipped.
Infrastructure errors (PostgreSQL or Kafka unreachable) never dead-letter
anything: the runner backs off, rewinds to the stored offsets and retries.

Every handled record gets a CONSUMER span whose parent is the trace context
in its headers (or its envelope's traceparent), so one trace follows an event
from the request that caused it; a batch handler gets one span linking them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import KafkaError
from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from ac_events.catalogue.base import EVENT_TYPES, Event, UnknownEventType
from ac_events.codec import Codec
from ac_events.dead_letters import DeadLetterReason, send_dead_letters
from ac_events.envelope import Envelope
from ac_events.errors import describe_error
from ac_events.kafka import dead_letter_topic, ensure_topics, make_producer
from ac_events.tracing import context_from_traceparent, extract_context, has_trace, link_to

log = logging.getLogger(__name__)
tracer = trace.get_tracer("ac_events.consumer")

E = TypeVar("E", bound=Event)

Handler = Callable[[asyncpg.Connection, Envelope[Any]], Awaitable[None]]
"""Applies one event's effects on the given connection, inside the runner's transaction."""

BatchHandler = Callable[[asyncpg.Connection, Sequence[Envelope[Any]]], Awaitable[None]]
"""Applies a run of events of one type at once (projections that need throughput)."""

MAX_SPAN_LINKS = 128


def on(
    event: type[E], handler: Callable[[asyncpg.Connection, Envelope[E]], Awaitable[None]]
) -> tuple[str, Handler]:
    """A handler table entry, checked by mypy: `dict([on(Granted, grant), ...])`."""
    return event.type, handler


def on_batch(
    event: type[E],
    handler: Callable[[asyncpg.Connection, Sequence[Envelope[E]]], Awaitable[None]],
) -> tuple[str, BatchHandler]:
    """A batch handler table entry, checked by mypy."""
    return event.type, handler


def is_connection_error(exc: BaseException) -> bool:
    """PostgreSQL or the network is away: worth waiting for, never a poison record."""
    return isinstance(
        exc,
        OSError
        | asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.exceptions.OperatorInterventionError
        | asyncpg.exceptions.InsufficientResourcesError,
    )


def _recoverable(exc: BaseException) -> bool:
    """Errors after which the runner rewinds to its stored offsets and tries again."""
    return is_connection_error(exc) or isinstance(exc, KafkaError | asyncpg.PostgresError)


class HandlerFailed(Exception):
    """A handler raised: the record is retried alone, then dead-lettered."""

    def __init__(self, event_type: str, cause: Exception) -> None:
        super().__init__(f"handler of {event_type} failed: {type(cause).__name__}")
        self.cause = cause


@dataclass
class ConsumerStats:
    """Counters for metrics; each counts records whose transaction committed."""

    handled: int = 0
    skipped: int = 0
    """Records of catalogue types the group has no handler for."""
    duplicates: int = 0
    """Republished events the group had applied already."""
    dead_lettered: int = 0
    batches: int = 0
    fallbacks: int = 0
    """Batches that failed and were retried one record per transaction."""
    retries: int = 0
    errors: int = 0
    """Infrastructure errors recovered from."""
    lag: int = 0
    """Records behind the high watermarks seen in the last fetch (cheap gauge)."""


@dataclass
class _Item:
    record: ConsumerRecord[bytes, bytes]
    envelope: Envelope[Event] | None = None
    dead: tuple[DeadLetterReason, str] | None = None
    sent: bool = False
    """Already in the dead-letter topic (a failed batch is not to send it again)."""

    @property
    def tp(self) -> TopicPartition:
        return TopicPartition(self.record.topic, self.record.partition)


@dataclass
class _Tally:
    handled: int = 0
    skipped: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    positions: dict[TopicPartition, int] = field(default_factory=dict)


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


def _header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name and value is not None:
            return bytes(value).decode("utf-8", "replace")
    return None


async def _call(span: Span, event_type: str, call: Awaitable[None]) -> None:
    """Await a handler; its failure is marked on the span by type only and wrapped."""
    try:
        await call
    except Exception as exc:
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        span.set_attribute("error.type", type(exc).__qualname__)
        if is_connection_error(exc):
            raise
        raise HandlerFailed(event_type, exc) from exc


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
        self._applying = asyncio.Lock()
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
                    if not _recoverable(exc):
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
        rows = await self.pool.fetch(
            _READ_OFFSETS,
            self.group_id,
            [tp.topic for tp in ordered],
            [tp.partition for tp in ordered],
        )
        stored = {TopicPartition(r["topic"], r["partition"]): int(r["next_offset"]) for r in rows}
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
        items = [await self._decode(r) for r in records]
        if not items:
            return
        async with self._applying:
            try:
                tally = await self._apply(items)
            except HandlerFailed:
                self.stats.fallbacks += 1
                tally = _Tally()
                for item in items:
                    one = await self._apply_alone(item)
                    tally.positions.update(one.positions)
            self.stats.batches += 1
        if self.commit_to_kafka:
            await self._commit_to_kafka(tally.positions)

    async def _decode(self, record: ConsumerRecord[bytes, bytes]) -> _Item:
        hinted = _header(record, "ac-type")
        if hinted is not None and hinted in EVENT_TYPES and hinted not in self._handled_types:
            return _Item(record)  # a type we do not handle: skipped without decrypting it
        if record.value is None:
            return _Item(record, dead=(DeadLetterReason.UNDECODABLE, "no value"))
        position = _header(record, "ac-position")
        try:
            envelope = await self.codec.open(
                record.value, int(position) if position and position.isdigit() else None
            )
        except UnknownEventType as exc:
            return _Item(record, dead=(DeadLetterReason.UNKNOWN_TYPE, describe_error(exc)))
        except Exception as exc:
            if is_connection_error(exc):
                raise
            return _Item(record, dead=(DeadLetterReason.UNDECODABLE, describe_error(exc)))
        return _Item(record, envelope)

    async def _apply_alone(self, item: _Item) -> _Tally:
        """One record per transaction, retried; dead-lettered if its handler keeps failing."""

        def count_retry(_: RetryCallState) -> None:
            self.stats.retries += 1

        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.max_attempts),
                wait=wait_exponential(multiplier=self.retry_wait_s, max=self.retry_wait_max_s),
                retry=retry_if_exception_type(HandlerFailed),
                before_sleep=count_retry,
                reraise=True,
            ):
                with attempt:
                    return await self._apply([item])
        except HandlerFailed as failed:
            envelope = item.envelope
            log.warning(
                "consumer %s: dead-lettering event %s (%s) after %d attempts: %s",
                self.group_id,
                envelope.event_id if envelope else "?",
                envelope.type if envelope else "?",
                self.max_attempts,
                type(failed.cause).__name__,
            )
            reason = (DeadLetterReason.HANDLER_ERROR, describe_error(failed.cause))
            return await self._apply([_Item(item.record, item.envelope, dead=reason)])
        raise AssertionError("unreachable: tenacity either returns or reraises")

    async def _apply(self, items: Sequence[_Item]) -> _Tally:
        """Apply records in one transaction with their offsets and idempotency rows."""
        tally = _Tally()
        async with self.pool.acquire() as conn, conn.transaction():
            tps = sorted({i.tp for i in items})
            fences = {
                TopicPartition(r["topic"], r["partition"]): int(r["next_offset"])
                for r in await conn.fetch(
                    _LOCK_OFFSETS, self.group_id, [t.topic for t in tps], [t.partition for t in tps]
                )
            }
            live = [i for i in items if i.record.offset >= fences[i.tp]]
            dead = [i for i in live if i.dead is not None]
            wanted = [
                i
                for i in live
                if i.dead is None
                and i.envelope is not None
                and i.envelope.type in self._handled_types
            ]
            tally.skipped = len(live) - len(dead) - len(wanted)
            fresh = await self._fresh(conn, wanted)
            tally.duplicates = len(wanted) - len(fresh)
            await self._run_handlers(conn, fresh)
            tally.handled = len(fresh)
            # Dead letters are in Kafka before their offsets are stored.
            unsent = [i for i in dead if not i.sent]
            if unsent:
                assert self._producer is not None, "started runners have a producer"
                await send_dead_letters(
                    self._producer,
                    self.dead_letter_topic,
                    self.group_id,
                    [(i.record, *i.dead) for i in unsent if i.dead is not None],
                )
            for i in unsent:
                i.sent = True
            tally.dead_lettered = len(dead)
            for i in items:
                tally.positions[i.tp] = max(tally.positions.get(i.tp, 0), i.record.offset + 1)
            saved = sorted(tally.positions)
            await conn.execute(
                _SAVE_OFFSETS,
                self.group_id,
                [t.topic for t in saved],
                [t.partition for t in saved],
                [tally.positions[t] for t in saved],
            )
        for tp, position in tally.positions.items():
            if tp in self._positions:
                self._positions[tp] = max(self._positions[tp], position)
        self.stats.handled += tally.handled
        self.stats.skipped += tally.skipped
        self.stats.duplicates += tally.duplicates
        self.stats.dead_lettered += tally.dead_lettered
        return tally

    async def _fresh(self, conn: asyncpg.Connection, wanted: Sequence[_Item]) -> list[_Item]:
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
        fresh: list[_Item] = []
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

    async def _run_handlers(self, conn: asyncpg.Connection, fresh: Sequence[_Item]) -> None:
        """Call handlers in record order; a run of one batch-handled type goes in one call."""
        start = 0
        while start < len(fresh):
            env = fresh[start].envelope
            assert env is not None
            batch_handler = self.batch_handlers.get(env.type)
            if batch_handler is None:
                await self._handle_one(conn, self.handlers[env.type], fresh[start])
                start += 1
                continue
            end = start + 1
            while end < len(fresh) and fresh[end].envelope is not None:
                nxt = fresh[end].envelope
                if nxt is None or nxt.type != env.type:
                    break
                end += 1
            await self._handle_run(conn, batch_handler, fresh[start:end])
            start = end

    def _span_attributes(self, item: _Item) -> dict[str, str | int]:
        env = item.envelope
        assert env is not None
        return {
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": item.record.topic,
            "messaging.destination.partition.id": str(item.record.partition),
            "messaging.kafka.offset": item.record.offset,
            "messaging.consumer.group.name": self.group_id,
            "messaging.message.id": str(env.event_id),
            "ac.event.type": env.type,
        }

    async def _handle_one(self, conn: asyncpg.Connection, handler: Handler, item: _Item) -> None:
        env = item.envelope
        assert env is not None
        parent = extract_context(item.record.headers)
        if not has_trace(parent):
            parent = context_from_traceparent(env.traceparent)
        with tracer.start_as_current_span(
            f"process {env.type}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes=self._span_attributes(item),
            record_exception=False,  # exception texts may hold personal data
            set_status_on_exception=False,
        ) as span:
            await _call(span, env.type, handler(conn, env))

    async def _handle_run(
        self, conn: asyncpg.Connection, handler: BatchHandler, run: Sequence[_Item]
    ) -> None:
        envelopes = [i.envelope for i in run if i.envelope is not None]
        links: list[Link] = []
        for item in run[:MAX_SPAN_LINKS]:
            env = item.envelope
            assert env is not None
            context = extract_context(item.record.headers)
            if not has_trace(context):
                context = context_from_traceparent(env.traceparent)
            link = link_to(context)
            if link is not None:
                links.append(link)
        with tracer.start_as_current_span(
            f"process {envelopes[0].type} batch",
            kind=SpanKind.CONSUMER,
            links=links,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.batch.message_count": len(envelopes),
                "messaging.consumer.group.name": self.group_id,
                "ac.event.type": envelopes[0].type,
            },
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            await _call(span, envelopes[0].type, handler(conn, envelopes))

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
