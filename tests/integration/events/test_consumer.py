"""The consumer runner against real Kafka and PostgreSQL: effects exactly once,
dead letters, graceful stop and lag, PostgreSQL as the truth of positions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import asyncpg
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import BaseModel

from ac_events.catalogue.base import EVENT_TYPES, UPCASTERS, Event, Personal, register
from ac_events.codec import Codec, SealedEvent
from ac_events.consumer import ConsumerRunner, Handler, on, on_batch
from ac_events.crypto import new_data_key
from ac_events.envelope import GENESIS_HASH, Envelope, canonical, record_hash
from ac_events.kafka import dead_letter_topic, ensure_topics, make_producer
from ac_events.keyring import CachedKeyring, PostgresKeyring
from ac_events.tracing import inject_headers
from tests.support.db import apply_library_schema
from tests.support.kafka import read_topic


class ConsumerProbeNoted(Event):
    """The test's event: one personal field, so the runner decrypts what it hands on."""

    type: ClassVar[str] = "ConsumerProbeNoted"
    producer: ClassVar[str] = "tests"
    seq: int
    note: Personal[str]


class ConsumerProbeIgnored(Event):
    """A catalogue type the test's groups have no handler for."""

    type: ClassVar[str] = "ConsumerProbeIgnored"
    producer: ClassVar[str] = "tests"
    seq: int


class ConsumerProbeRenamed(Event):
    """Schema version 2: v1 called `seq` `number` (upcast on the way in)."""

    type: ClassVar[str] = "ConsumerProbeRenamed"
    schema_version: ClassVar[int] = 2
    producer: ClassVar[str] = "tests"
    seq: int


def upcast_consumer_probe_renamed_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    return {"seq": payload["number"]}


for _cls in (ConsumerProbeNoted, ConsumerProbeIgnored, ConsumerProbeRenamed):
    if _cls.type not in EVENT_TYPES:
        register(_cls)
UPCASTERS[(ConsumerProbeRenamed.type, 1)] = upcast_consumer_probe_renamed_v1_v2

EFFECTS = """
CREATE TABLE effects (event_id uuid NOT NULL, stream_id text NOT NULL, seq int NOT NULL,
                      note text, at timestamptz NOT NULL DEFAULT clock_timestamp())
"""  # deliberately no unique key: a duplicate effect must show up as a second row


@dataclass
class Rig:
    pool: asyncpg.Pool
    codec: Codec
    producer: AIOKafkaProducer
    bootstrap: str
    prefix: str

    def runner(self, group: str, topics: Sequence[str], **options: Any) -> ConsumerRunner:
        settings: dict[str, Any] = {
            "poll_timeout_ms": 200,
            "retry_wait_s": 0.01,
            "consumer_options": {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000},
        }
        settings.update(options)
        return ConsumerRunner(
            group_id=f"{self.prefix}{group}",
            topics=topics,
            bootstrap_servers=self.bootstrap,
            pool=self.pool,
            codec=self.codec,
            topic_prefix=self.prefix,
            **settings,
        )

    async def topic(self, name: str, partitions: int) -> str:
        topic = f"{self.prefix}{name}"
        await ensure_topics(self.bootstrap, [topic], partitions=partitions)
        return topic

    async def count(self, sql: str = "SELECT count(*) FROM effects", *args: Any) -> int:
        return int(await self.pool.fetchval(sql, *args))

    async def stored_offsets(self, group: str) -> int:
        return await self.count(
            "SELECT coalesce(sum(next_offset), 0) FROM consumer_offsets WHERE group_id = $1",
            f"{self.prefix}{group}",
        )


@pytest.fixture
async def rig(database_url: str, kafka_bootstrap: str, topic_prefix: str) -> AsyncIterator[Rig]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=10)
    async with pool.acquire() as conn:
        await apply_library_schema(conn)
        await conn.execute(EFFECTS)
    producer = make_producer(kafka_bootstrap)
    await producer.start()
    codec = Codec(CachedKeyring(PostgresKeyring(pool, new_data_key())))
    yield Rig(pool, codec, producer, kafka_bootstrap, topic_prefix)
    await producer.stop()
    await pool.close()


async def seal_stream(
    codec: Codec, stream_id: str, subject_id: str, events: Sequence[Event]
) -> list[SealedEvent]:
    """A stream's events as the event store would seal them: versions 1.., chained hashes."""
    sealed: list[SealedEvent] = []
    prev = GENESIS_HASH
    for version, event in enumerate(events, start=1):
        s = await codec.seal(
            event,
            stream_id=stream_id,
            stream_version=version,
            subject_id=subject_id,
            producer="tests",
            prev_hash=prev,
        )
        sealed.append(s)
        prev = s.hash
    return sealed


async def publish(rig: Rig, topic: str, events: Sequence[SealedEvent]) -> None:
    """Publish as the relay does: key = subject, value = stored bytes, ac-* headers."""
    futures = []
    for position, s in enumerate(events, start=1):
        headers = [
            ("ac-event-id", str(s.event_id).encode()),
            ("ac-type", s.type.encode()),
            ("ac-position", str(position).encode()),
            *inject_headers(),
        ]
        key = (s.subject_id or s.stream_id).encode()
        futures.append(await rig.producer.send(topic, s.data, key=key, headers=headers))
    for f in futures:
        await f


@asynccontextmanager
async def running(runner: ConsumerRunner) -> AsyncIterator[ConsumerRunner]:
    """Run a runner in the background; stop it (gracefully) however the block ends."""
    task = asyncio.create_task(runner.run())
    try:
        yield runner
    finally:
        await runner.stop()
        await task


async def until(check: Callable[[], Awaitable[bool]], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


async def record_effect(conn: asyncpg.Connection, env: Envelope[ConsumerProbeNoted]) -> None:
    note = env.payload.note if isinstance(env.payload.note, str) else None
    await conn.execute(
        "INSERT INTO effects (event_id, stream_id, seq, note) VALUES ($1, $2, $3, $4)",
        env.event_id,
        env.stream_id,
        env.payload.seq,
        note,
    )


def noted(start: int, n: int) -> list[Event]:
    return [ConsumerProbeNoted(seq=i, note=f"note {i}") for i in range(start, start + n)]


async def test_effects_land_once_even_when_every_event_is_published_twice(rig: Rig) -> None:
    topic = await rig.topic("tests.events", partitions=3)
    streams = [await seal_stream(rig.codec, f"s-{k}", f"p-{k}", noted(1, 10)) for k in range(4)]
    everything = [s for stream in streams for s in stream]
    await publish(rig, topic, everything)
    await publish(rig, topic, everything)  # at least once: the same events on new offsets

    runner = rig.runner("g", [topic], handlers=dict([on(ConsumerProbeNoted, record_effect)]))
    async with running(runner):
        await until(lambda: _done(rig, "g", 80))

    assert await rig.count() == 40
    assert await rig.count("SELECT count(DISTINCT event_id) FROM effects") == 40
    assert await rig.count("SELECT count(*) FROM effects WHERE note = 'note ' || seq") == 40
    assert (runner.stats.handled, runner.stats.duplicates, runner.stats.dead_lettered) == (
        40,
        40,
        0,
    )
    versions = await rig.pool.fetch("SELECT stream_id, version FROM consumer_streams")
    assert sorted((r["stream_id"], r["version"]) for r in versions) == [
        (f"s-{k}", 10) for k in range(4)
    ]


async def _done(rig: Rig, group: str, records: int) -> bool:
    return await rig.stored_offsets(group) >= records


async def test_a_batch_handler_gets_runs_of_its_type_and_applies_them_once(rig: Rig) -> None:
    topic = await rig.topic("tests.events", partitions=2)
    streams = [await seal_stream(rig.codec, f"s-{k}", f"p-{k}", noted(1, 150)) for k in range(2)]
    everything = [s for stream in streams for s in stream]
    await publish(rig, topic, everything)
    await publish(rig, topic, everything[:50])
    calls: list[int] = []

    async def project(
        conn: asyncpg.Connection, envs: Sequence[Envelope[ConsumerProbeNoted]]
    ) -> None:
        calls.append(len(envs))
        await conn.executemany(
            "INSERT INTO effects (event_id, stream_id, seq) VALUES ($1, $2, $3)",
            [(e.event_id, e.stream_id, e.payload.seq) for e in envs],
        )

    runner = rig.runner(
        "g", [topic], batch_handlers=dict([on_batch(ConsumerProbeNoted, project)]), max_batch=100
    )
    async with running(runner):
        await until(lambda: _done(rig, "g", 350))

    assert await rig.count() == 300
    assert await rig.count("SELECT count(DISTINCT event_id) FROM effects") == 300
    assert max(calls) > 1
    assert sum(calls) == 300
    assert runner.stats.duplicates == 50


class Crash(BaseException):
    """A process dying mid-transaction: not an `Exception`, so nothing in the runner catches it."""


async def test_a_crash_inside_the_transaction_leaves_no_effect_and_a_restart_applies_each_once(
    rig: Rig,
) -> None:
    topic = await rig.topic("tests.events", partitions=1)
    await publish(rig, topic, await seal_stream(rig.codec, "s", "p", noted(1, 20)))
    crashed = False

    async def crash_on_seven(conn: asyncpg.Connection, env: Envelope[ConsumerProbeNoted]) -> None:
        nonlocal crashed
        await record_effect(conn, env)  # the effect happens ... then the process dies
        if env.payload.seq == 7 and not crashed:
            crashed = True
            raise Crash

    first = rig.runner(
        "g", [topic], handlers=dict([on(ConsumerProbeNoted, crash_on_seven)]), max_batch=5
    )
    with pytest.raises(Crash):
        await first.run()
    assert crashed
    # Batches 1-5 committed; the batch holding 7 rolled back with its offsets.
    assert await rig.count() == 5
    assert await rig.count("SELECT count(*) FROM effects WHERE seq = 7") == 0
    assert await rig.stored_offsets("g") == 5

    second = rig.runner(
        "g", [topic], handlers=dict([on(ConsumerProbeNoted, crash_on_seven)]), max_batch=5
    )
    async with running(second):
        await until(lambda: _done(rig, "g", 20))
    assert await rig.count() == 20
    assert await rig.count("SELECT count(DISTINCT seq) FROM effects") == 20
    assert second.stats.handled == 15


async def test_postgres_not_kafkas_committed_offsets_decides_where_a_group_resumes(
    rig: Rig,
) -> None:
    topic = await rig.topic("tests.events", partitions=1)
    await publish(rig, topic, await seal_stream(rig.codec, "s", "p", noted(1, 10)))
    handlers: dict[str, Handler] = dict([on(ConsumerProbeNoted, record_effect)])
    runner = rig.runner("g", [topic], handlers=handlers)
    async with running(runner):
        await until(lambda: _done(rig, "g", 10))

    # Someone rewinds the group in Kafka (e.g. kafka-consumer-groups --reset-offsets).
    tp = TopicPartition(topic, 0)
    rewinder = AIOKafkaConsumer(
        bootstrap_servers=rig.bootstrap, group_id=f"{rig.prefix}g", enable_auto_commit=False
    )
    await rewinder.start()
    rewinder.assign([tp])
    await rewinder.commit({tp: 0})
    assert await rewinder.committed(tp) == 0
    await rewinder.stop()

    again = rig.runner("g", [topic], handlers=handlers)
    async with running(again):
        await until(lambda: _assigned(again))
        await asyncio.sleep(0.5)
        assert again.positions() == {tp: 10}
        assert await again.lag() == 0
    assert again.stats.handled == 0
    assert await rig.count() == 10


async def _assigned(runner: ConsumerRunner) -> bool:
    return bool(runner.assignment()) and bool(runner.positions())


class _Strict(BaseModel):
    code: int


async def test_poison_records_go_to_the_dead_letter_topic_and_the_group_goes_on(rig: Rig) -> None:
    topic = await rig.topic("tests.events", partitions=1)
    good = await seal_stream(rig.codec, "s", "p", noted(1, 3))
    failing = await seal_stream(
        rig.codec, "f", "p-f", [ConsumerProbeNoted(seq=13, note="Jane Roe")]
    )
    ignored = await seal_stream(rig.codec, "i", "p-i", [ConsumerProbeIgnored(seq=1)])
    unknown_record = orjson.loads(good[0].data) | {"type": "NoSuchEventAnywhere"}
    unknown_record["hash"] = record_hash(unknown_record)
    unknown = canonical(unknown_record)
    garbage = b"\x00 not an event"

    # offsets: 0 good1, 1 garbage, 2 unknown, 3 ignored, 4 failing, 5 good2, 6 good3
    await publish(rig, topic, good[:1])
    await rig.producer.send_and_wait(topic, garbage, key=b"p", headers=[("ac-event-id", b"x")])
    await rig.producer.send_and_wait(
        topic, unknown, key=b"p", headers=[("ac-type", b"NoSuchEventAnywhere")]
    )
    await publish(rig, topic, ignored)
    await publish(rig, topic, failing)
    await publish(rig, topic, good[1:])
    attempts = 0

    async def handle(conn: asyncpg.Connection, env: Envelope[ConsumerProbeNoted]) -> None:
        nonlocal attempts
        if env.payload.seq == 13:
            attempts += 1
            # A validation error echoes its input: here, a personal value.
            _Strict.model_validate({"code": env.payload.note})
        await record_effect(conn, env)

    runner = rig.runner(
        "g", [topic], handlers=dict([on(ConsumerProbeNoted, handle)]), max_attempts=3
    )
    async with running(runner):
        await until(lambda: _done(rig, "g", 7))

    assert sorted(r["seq"] for r in await rig.pool.fetch("SELECT seq FROM effects")) == [1, 2, 3]
    assert attempts == 1 + 3  # once in its batch, then alone max_attempts times
    stats = runner.stats
    assert (stats.handled, stats.skipped, stats.dead_lettered) == (3, 1, 3)
    assert stats.fallbacks == 1 and stats.retries == 2

    letters = await read_topic(rig.bootstrap, dead_letter_topic(f"{rig.prefix}g", rig.prefix))
    by_offset = {int(dict(r.headers)["dlq-offset"]): r for r in letters}
    assert sorted(by_offset) == [1, 2, 4]
    reasons = {o: dict(r.headers)["dlq-reason"].decode() for o, r in by_offset.items()}
    assert reasons == {1: "undecodable", 2: "unknown_type", 4: "handler_error"}
    for letter in by_offset.values():
        h = dict(letter.headers)
        assert h["dlq-topic"].decode() == topic
        assert h["dlq-partition"] == b"0"
        assert h["dlq-group"].decode() == f"{rig.prefix}g"
    assert by_offset[1].value == garbage and by_offset[1].key == b"p"
    assert by_offset[2].value == unknown
    assert by_offset[4].value == failing[0].data and by_offset[4].key == b"p-f"
    assert dict(by_offset[4].headers)["ac-event-id"] == str(failing[0].event_id).encode()
    error = dict(by_offset[4].headers)["dlq-error"].decode()
    assert "ValidationError" in error and "code" in error
    assert "Jane" not in error  # the decrypted personal value stays out of the letter
    assert "NoSuchEventAnywhere" in dict(by_offset[2].headers)["dlq-error"].decode()


async def test_old_schema_versions_are_upcast_before_the_handler_sees_them(rig: Rig) -> None:
    topic = await rig.topic("tests.events", partitions=1)
    [current] = await seal_stream(rig.codec, "r", "p", [ConsumerProbeRenamed(seq=5)])
    old = orjson.loads(current.data) | {"schema_version": 1, "payload": {"number": 4}}
    old["stream_id"] = "r-old"
    old["hash"] = record_hash(old)
    await rig.producer.send_and_wait(topic, canonical(old), key=b"p")
    await publish(rig, topic, [current])
    seen: list[tuple[int, int]] = []

    async def handle(conn: asyncpg.Connection, env: Envelope[ConsumerProbeRenamed]) -> None:
        seen.append((env.schema_version, env.payload.seq))

    runner = rig.runner("g", [topic], handlers=dict([on(ConsumerProbeRenamed, handle)]))
    async with running(runner):
        await until(lambda: _done(rig, "g", 2))
    assert seen == [(2, 4), (2, 5)]


async def _group_state(bootstrap: str, group: str) -> str:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
        return str(response.groups[0][2])
    finally:
        await admin.close()


async def test_stop_finishes_the_batch_in_hand_leaves_the_group_and_lag_counts_the_rest(
    rig: Rig,
) -> None:
    topic = await rig.topic("tests.events", partitions=1)
    await publish(rig, topic, await seal_stream(rig.codec, "s", "p", noted(1, 60)))

    async def slow(conn: asyncpg.Connection, env: Envelope[ConsumerProbeNoted]) -> None:
        await asyncio.sleep(0.02)
        await record_effect(conn, env)

    runner = rig.runner("g", [topic], handlers=dict([on(ConsumerProbeNoted, slow)]), max_batch=5)
    async with running(runner):
        await until(lambda: _done(rig, "g", 10))
        lag = await runner.lag()
        assert 0 < lag <= 50
        assert lag == 60 - sum(runner.positions().values())

    # Stopped between batches: every effect has its offset stored, and nothing more.
    applied = await rig.count()
    assert applied < 60
    assert await rig.stored_offsets("g") == applied
    assert await _group_state(rig.bootstrap, f"{rig.prefix}g") == "Empty"

    rest = rig.runner("g", [topic], handlers=dict([on(ConsumerProbeNoted, record_effect)]))
    async with running(rest):
        await until(lambda: _done(rig, "g", 60))
        assert await rest.lag() == 0
    assert rest.stats.lag == 0
    assert rest.stats.handled == 60 - applied
    assert await rig.count("SELECT count(DISTINCT seq) FROM effects") == 60
    assert await rig.count() == 60


async def test_partitions_moving_between_two_runners_keep_every_effect_exactly_once(
    rig: Rig,
) -> None:
    topic = await rig.topic("tests.events", partitions=6)
    streams = [await seal_stream(rig.codec, f"s-{k}", f"p-{k}", noted(1, 20)) for k in range(24)]
    everything = [s for stream in streams for s in stream]
    await publish(rig, topic, everything)
    await publish(rig, topic, everything[::3])

    async def slowish(conn: asyncpg.Connection, env: Envelope[ConsumerProbeNoted]) -> None:
        await record_effect(conn, env)
        await asyncio.sleep(0.01)  # slow enough that the work outlasts two rebalances

    handlers: dict[str, Handler] = dict([on(ConsumerProbeNoted, slowish)])
    first = rig.runner("g", [topic], handlers=handlers, max_batch=20)
    second = rig.runner("g", [topic], handlers=handlers, max_batch=20)
    total = len(everything) + len(everything[::3])
    async with running(first):
        await until(lambda: _at_least(rig, 40))
        async with running(second):  # the group rebalances onto two members ...
            await until(lambda: _assigned(second))
            await until(lambda: _handled(second, 40))
            await first.stop()  # ... and back onto one
            await until(lambda: _done(rig, "g", total))

    assert first.stats.handled > 0 and second.stats.handled > 0
    assert first.stats.handled + second.stats.handled == 480
    assert await rig.count() == 480
    assert await rig.count("SELECT count(DISTINCT event_id) FROM effects") == 480


async def _handled(runner: ConsumerRunner, n: int) -> bool:
    return runner.stats.handled >= n


async def _at_least(rig: Rig, n: int) -> bool:
    return await rig.count() >= n


async def test_a_lost_database_connection_is_retried_not_dead_lettered(rig: Rig) -> None:
    topic = await rig.topic("tests.events", partitions=1)
    await publish(rig, topic, await seal_stream(rig.codec, "s", "p", noted(1, 12)))
    cut = False

    async def cut_once(conn: asyncpg.Connection, env: Envelope[ConsumerProbeNoted]) -> None:
        nonlocal cut
        await record_effect(conn, env)
        if env.payload.seq == 8 and not cut:
            cut = True  # the server drops this connection mid-transaction
            await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    runner = rig.runner(
        "g", [topic], handlers=dict([on(ConsumerProbeNoted, cut_once)]), max_batch=4
    )
    async with running(runner):
        await until(lambda: _done(rig, "g", 12))

    assert cut
    assert runner.stats.errors >= 1 and runner.stats.dead_lettered == 0
    assert await rig.count() == 12
    assert await rig.count("SELECT count(DISTINCT seq) FROM effects") == 12
