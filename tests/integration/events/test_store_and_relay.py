"""The event store and the outbox relay against real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict

import asyncpg
import orjson
import pytest

from ac_events.kafka import make_producer
from ac_events.relay import OutboxRelay, _leader_key
from ac_events.store import NO_STREAM, OUTBOX_LOCK, ConcurrencyError
from ac_platform.metrics import Metrics
from ac_platform.workers import RelayWorker
from tests.integration.events.conftest import Rig
from tests.support.kafka import read_topic, wait_for_count
from tests.support.sample_events import SampleNoted

WAITING_AT_BARRIER = f"""SELECT count(*) > 0 FROM pg_locks
    WHERE locktype = 'advisory' AND objid = {OUTBOX_LOCK & 0xFFFFFFFF} AND NOT granted"""
"""Someone (the relay) waits for the outbox lock."""


def notes(start: int, n: int) -> list[SampleNoted]:
    return [SampleNoted(seq=i, note=f"note {i}") for i in range(start, start + n)]


async def test_append_read_and_optimistic_concurrency(rig: Rig) -> None:
    first = await rig.store.append("s-1", NO_STREAM, notes(1, 2), subject_id="p-1")
    assert first.version == 2
    assert first.positions[0] < first.positions[1]
    await rig.store.append("s-1", 2, notes(3, 1), subject_id="p-1")
    with pytest.raises(ConcurrencyError) as err:
        await rig.store.append("s-1", 2, notes(4, 1), subject_id="p-1")
    assert (err.value.expected, err.value.actual) == (2, 3)

    events = await rig.store.read_stream("s-1")
    assert [e.stream_version for e in events] == [1, 2, 3]
    assert [e.payload.seq for e in events if isinstance(e.payload, SampleNoted)] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash
    assert events[0].producer == "tests"


async def test_append_joins_the_callers_transaction(rig: Rig) -> None:
    async with rig.pool.acquire() as conn:
        with pytest.raises(RuntimeError):
            await rig.store.append("s-2", NO_STREAM, notes(1, 1), subject_id="p", conn=conn)
        tx = conn.transaction()
        await tx.start()
        await rig.store.append("s-2", NO_STREAM, notes(1, 1), subject_id="p", conn=conn)
        await tx.rollback()
    assert await rig.store.read_stream("s-2") == []


async def test_relay_waits_for_a_late_commit_with_a_lower_position(rig: Rig) -> None:
    """A transaction that draws a lower position but commits later is not skipped."""
    producer = make_producer(rig.bootstrap)
    await producer.start()
    relay = OutboxRelay(rig.store, producer, rig.topic, poll_interval_s=0.05)
    async with rig.pool.acquire() as slow:
        tx = slow.transaction()
        await tx.start()
        late = await rig.store.append("late", NO_STREAM, notes(1, 1), subject_id="p", conn=slow)
        early = await rig.store.append("early", NO_STREAM, notes(2, 1), subject_id="p")
        assert late.positions[0] < early.positions[0]
        task = asyncio.create_task(relay.run())
        for _ in range(300):  # until the relay waits for the barrier (its exclusive lock)
            if await rig.pool.fetchval(WAITING_AT_BARRIER):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the relay never reached the barrier")
        # The relay is held at the barrier: it has published nothing past the open transaction.
        assert relay.stats.published == 0
        await tx.commit()
    await wait_for_count(rig.bootstrap, rig.topic, 2)
    relay.stop()
    await task
    await producer.stop()
    records = await read_topic(rig.bootstrap, rig.topic)
    positions = sorted(int(dict(r.headers)["ac-position"]) for r in records)
    assert positions == sorted([late.positions[0], early.positions[0]])


async def _until(condition: object, what: str, timeout_s: float = 30) -> None:
    for _ in range(int(timeout_s / 0.05)):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(what)


async def test_a_relay_whose_session_ends_is_elected_again_and_publishes_nothing_twice(
    rig: Rig,
) -> None:
    """[L] Leadership is a session lock. When the leader's session ends (a PostgreSQL restart
    ends them all), the lock goes with it: the relay must stop publishing and be elected
    again, never publish beside the stand-by that took the lock, and never stop for good."""
    producer = make_producer(rig.bootstrap)
    await producer.start()
    a, b = (OutboxRelay(rig.store, producer, rig.topic, poll_interval_s=0.05) for _ in range(2))
    first = asyncio.create_task(a.run())
    await _until(lambda: a.stats.leader, "a is never the leader")
    second = asyncio.create_task(b.run())
    await rig.store.append("s", NO_STREAM, notes(1, 10), subject_id="p")
    await wait_for_count(rig.bootstrap, rig.topic, 10)

    leader = await rig.pool.fetchval(
        """SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1
           AND objid = $2 AND database = (SELECT oid FROM pg_database
                                          WHERE datname = current_database())""",
        _leader_key(rig.topic) >> 32, _leader_key(rig.topic) & 0xFFFFFFFF,
    )  # fmt: skip
    assert await rig.pool.fetchval("SELECT pg_terminate_backend($1)", leader)
    await _until(lambda: a.stats.errors > 0, "a never saw its session end")
    await _until(lambda: a.stats.leader != b.stats.leader, "not exactly one leader", 60)
    assert not first.done() and not second.done(), "a relay stopped for good"

    await rig.store.append("s", 10, notes(11, 10), subject_id="p")
    await wait_for_count(rig.bootstrap, rig.topic, 20)
    a.stop()
    b.stop()
    await asyncio.gather(first, second)
    await producer.stop()
    seqs = [
        orjson.loads(r.value)["payload"]["seq"] for r in await read_topic(rig.bootstrap, rig.topic)
    ]
    assert sorted(seqs) == list(range(1, 21)), "published twice, or skipped"


async def test_32_concurrent_writers_20000_events_nothing_skipped_streams_in_order(
    rig: Rig,
) -> None:
    """32 writers, small transactions (some slow to commit), the relay running all along."""
    total, writers, streams = 20_000, 32, 400
    producer = make_producer(rig.bootstrap)
    await producer.start()
    relay = OutboxRelay(rig.store, producer, rig.topic, poll_interval_s=0.05)
    relay_task = asyncio.create_task(relay.run())
    remaining = total
    lock = asyncio.Lock()
    conflicts = 0

    async def take(n: int) -> int:
        nonlocal remaining
        async with lock:
            got = min(n, remaining)
            remaining -= got
            return got

    async def writer(seed: int) -> None:
        nonlocal conflicts
        rnd = random.Random(seed)
        while (n := await take(rnd.randint(1, 3))) > 0:
            stream = f"stream-{rnd.randrange(streams)}"
            while True:
                async with rig.pool.acquire() as conn:
                    head = await conn.fetchval(
                        "SELECT version FROM streams WHERE stream_id = $1", stream
                    )
                    try:
                        async with conn.transaction():
                            await rig.store.append(
                                stream, head or 0, notes(0, n), subject_id=stream, conn=conn
                            )
                            if (
                                rnd.random() < 0.05
                            ):  # commit late, after others with higher positions
                                await asyncio.sleep(rnd.random() * 0.02)
                        break
                    except ConcurrencyError:
                        conflicts += 1
                    except asyncpg.UniqueViolationError:
                        conflicts += 1

    await asyncio.gather(*(writer(i) for i in range(writers)))
    await wait_for_count(rig.bootstrap, rig.topic, total, timeout_s=120)
    relay.stop()
    await relay_task
    await producer.stop()

    stored = {
        str(r["event_id"]): (r["stream_id"], r["stream_version"])
        for r in await rig.pool.fetch("SELECT event_id, stream_id, stream_version FROM events")
    }
    assert len(stored) == total
    records = await read_topic(rig.bootstrap, rig.topic)
    published = {dict(r.headers)["ac-event-id"].decode() for r in records}
    assert published == set(stored), f"missing {len(set(stored) - published)} events"
    per_stream: dict[str, list[int]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        record = orjson.loads(r.value)
        versions = per_stream[record["stream_id"]]
        if record["stream_version"] not in versions:  # at-least-once: keep first delivery
            versions.append(record["stream_version"])
    for stream, versions in per_stream.items():
        assert versions == list(range(1, len(versions) + 1)), stream
    assert conflicts > 0, "writers contended on shared streams"


async def test_the_oldest_unpublished_event_is_scraped_as_seconds_waited(rig: Rig) -> None:
    """`ac_outbox_lag_seconds` while events wait (PostgreSQL's `extract` is numeric: the
    scrape once failed on it, a 500 to every scrape of a service with a backlog)."""
    await rig.store.append("s-lag", NO_STREAM, notes(1, 3), subject_id="p")
    relay = OutboxRelay(rig.store, make_producer(rig.bootstrap), rig.topic)
    relay.stop()  # it reads what waits, and publishes nothing
    assert await relay.publish_pending() == 0
    assert relay.stats.backlog == 3
    metrics = Metrics("tests")
    metrics.watch([RelayWorker(relay)])
    scraped = bytes(metrics.response().body).decode()
    waited = f'ac_outbox_lag_seconds{{topic="{rig.topic}"}} '
    line = next(line for line in scraped.splitlines() if line.startswith(waited))
    assert float(line.removeprefix(waited)) >= 0.0
