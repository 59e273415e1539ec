"""Pipeline benchmark: store -> relay -> Kafka -> consumer projecting into PostgreSQL.

Measures, in one run on one machine:
- ceilings: raw asyncpg `copy_records_to_table` of the same rows, raw aiokafka
  produce (same producer settings) and raw aiokafka consume of the same bytes;
- the pipeline: appenders, the outbox relay and a consumer group projecting
  into a table, all running at once, each in its own process (as they run in
  production: the relay in the producing service, the consumer in another);
  each stage's events/s is N divided by the time from the start until that
  stage has handled the N-th event.

Each stage is also measured per CPU second of its process (on a machine others
share, its rate on a core of its own); the pipeline with each stage on a core of
its own runs at its slowest stage's rate. Also: 1 and 1,000 events per append's
transaction (BENCH_SCALE=0 skips them).

Last line: RESULT pipeline_eps=<n> ceiling_eps=<n> ratio=<r> wall_ratio=<r>
(ceiling = the slowest raw stage; ratio per CPU second, wall_ratio by the clock).
Set BENCH_N to change N (default 200,000).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from functools import partial
from multiprocessing.synchronize import Event as EventType
from typing import Any, ClassVar

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.partitioner import DefaultPartitioner

from ac_events.catalogue.base import EVENT_TYPES, Event, Personal, register
from ac_events.codec import Codec, SealedEvent
from ac_events.consumer import ConsumerRunner
from ac_events.crypto import new_data_key
from ac_events.envelope import GENESIS_HASH, Envelope
from ac_events.kafka import ensure_topics, make_producer
from ac_events.keyring import CachedKeyring, NoKeys, PostgresKeyring
from ac_events.migrator import KEYRING, LIBRARY, migrate
from ac_events.relay import OutboxRelay
from ac_events.store import NO_STREAM, EventStore
from bench.charts import Chart, table
from bench.profiling import profiled
from bench.wrk import cpu_seconds
from tests.support.infra import create_database, drop_database

N = int(os.environ.get("BENCH_N", "200000")) // 1000 * 1000  # whole streams
STREAMS = 1000
PER_APPEND = 100
SCALE = os.environ.get("BENCH_SCALE", "1") != "0"
APPENDERS = 4


class BenchScored(Event):
    """A benchmark event the size of a small real one, one personal field included."""

    type: ClassVar[str] = "BenchScored"
    producer: ClassVar[str] = "bench"
    vacancy_id: str
    score: float
    method: str
    comment: Personal[str]


if BenchScored.type not in EVENT_TYPES:
    register(BenchScored)


def sample(i: int) -> BenchScored:
    return BenchScored(
        vacancy_id=f"v-{i % 5000}", score=(i % 1000) / 1000, method="bm25", comment=f"c{i}"
    )


async def _until(stop: EventType) -> None:
    """Wait for the parent's signal to stop, without blocking the event loop."""
    await asyncio.to_thread(stop.wait)


async def _relay(db: str, bootstrap: str, topic: str, stop: EventType) -> None:
    pool = await asyncpg.create_pool(db, min_size=2, max_size=4)
    producer = make_producer(bootstrap)
    await producer.start()
    relay = OutboxRelay(
        EventStore(pool, Codec(NoKeys()), "bench"), producer, topic, batch_size=5000
    )
    task = asyncio.create_task(relay.run())
    await _until(stop)
    relay.stop()
    await task
    await producer.stop()
    await pool.close()


async def _project(table: str, conn: asyncpg.Connection, batch: Sequence[Envelope[Any]]) -> None:
    await conn.copy_records_to_table(
        table,
        records=[
            (e.stream_id, e.stream_version, e.payload.vacancy_id, e.payload.score) for e in batch
        ],
    )


async def _consume(
    db: str, bootstrap: str, topic: str, group: str, table: str, master: bytes, stop: EventType
) -> None:
    pool = await asyncpg.create_pool(db, min_size=2, max_size=4)
    runner = ConsumerRunner(
        group_id=group,
        topics=[topic],
        bootstrap_servers=bootstrap,
        pool=pool,
        codec=Codec(CachedKeyring(PostgresKeyring(pool, master), ttl_s=3600)),
        batch_handlers={BenchScored.type: partial(_project, table)},
        max_batch=5000,
        commit_to_kafka=False,
    )
    task = asyncio.create_task(runner.run())
    await _until(stop)
    await runner.stop()
    await task
    await pool.close()


def relay_process(db: str, bootstrap: str, topic: str, stop: EventType) -> None:
    asyncio.run(_relay(db, bootstrap, topic, stop))


def consumer_process(
    db: str, bootstrap: str, topic: str, group: str, table: str, master: bytes, stop: EventType
) -> None:
    asyncio.run(_consume(db, bootstrap, topic, group, table, master, stop))


async def seal(codec: Codec, i: int) -> SealedEvent:
    return await codec.seal(
        sample(i),
        stream_id=f"s{i % STREAMS}",
        stream_version=i // STREAMS + 1,
        subject_id=f"p{i % STREAMS}",
        producer="bench",
        prev_hash=GENESIS_HASH,
    )


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


async def _until_projected(
    pool: asyncpg.Pool, group: str, workers: list[Any], start: float, n: int
) -> tuple[float, float]:
    """Seconds from `start` until the relay published and the consumer projected all N."""
    relay_s = consumer_s = 0.0
    last_report = time.perf_counter()
    while not consumer_s:
        await asyncio.sleep(0.05)
        now = time.perf_counter() - start
        published = int(await pool.fetchval("SELECT coalesce(max(position), 0) FROM outbox_relay"))
        projected = int(
            await pool.fetchval(
                "SELECT coalesce(sum(next_offset), 0) FROM consumer_offsets WHERE group_id=$1",
                group,
            )
        )
        if not relay_s and published >= n:
            relay_s = now
        if projected >= n:
            consumer_s = now
        if not all(w.is_alive() for w in workers):
            raise RuntimeError("a pipeline worker died")
        if time.perf_counter() - last_report > 5:
            last_report = time.perf_counter()
            print(f"  ... {now:5.1f} s: published {published:,}, projected {projected:,}")
    return relay_s, consumer_s


async def ceiling_postgres(pool: asyncpg.Pool, rows: list[tuple[Any, ...]]) -> float:
    async with pool.acquire() as conn:
        await conn.execute(
            """CREATE TABLE raw_events (event_id uuid, stream_id text, stream_version int,
               type text, subject_id text, occurred_at timestamptz, hash text, data bytea)"""
        )
        t = time.perf_counter()
        for i in range(0, len(rows), 10_000):
            await conn.copy_records_to_table("raw_events", records=rows[i : i + 10_000])
        return rate(len(rows), time.perf_counter() - t)


async def ceiling_produce(bootstrap: str, topic: str, values: list[tuple[bytes, bytes]]) -> float:
    """The same records, one batch per partition at a time (the producer's fastest way, as
    the relay publishes), partitioned by key as the producer's default partitioner does."""
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        t = time.perf_counter()
        every = sorted(await producer.partitions_for(topic))
        partitioner = DefaultPartitioner()
        batches: dict[int, Any] = {}
        futures = []
        for k, v in values:
            p = partitioner(k, every, every)
            batch = batches.get(p) or batches.setdefault(p, producer.create_batch())
            if batch.append(key=k, value=v, timestamp=None) is None:
                futures.append(await producer.send_batch(batch, topic, partition=p))
                batches[p] = batch = producer.create_batch()
                batch.append(key=k, value=v, timestamp=None)
        for p, batch in batches.items():
            futures.append(await producer.send_batch(batch, topic, partition=p))
        for f in futures:
            await f
        return rate(len(values), time.perf_counter() - t)
    finally:
        await producer.stop()


async def ceiling_consume(bootstrap: str, topic: str, n: int) -> float:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        consumer.subscribe([topic])
        seen = 0
        t = None
        while seen < n:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            if t is None and batches:
                t = time.perf_counter()
            seen += sum(len(r) for r in batches.values())
        assert t is not None
        return rate(n, time.perf_counter() - t)
    finally:
        await consumer.stop()


async def ceilings(
    pool: asyncpg.Pool, codec: Codec, bootstrap: str, raw_topic: str
) -> dict[str, float]:
    """Sealing alone, and the raw stages on the same sealed bytes the pipeline carries."""
    t, cpu = time.perf_counter(), time.process_time()
    with profiled("pipeline-seal", os.getpid()):
        sealed = [await seal(codec, i) for i in range(N)]
    figures = {"seal": rate(N, time.perf_counter() - t),
               "seal_cpu": rate(N, time.process_time() - cpu)}  # fmt: skip
    rows = [(s.event_id, s.stream_id, s.stream_version, s.type, s.subject_id, s.occurred_at,
             s.hash, s.data) for s in sealed]  # fmt: skip
    cpu = time.process_time()
    figures["copy"] = await ceiling_postgres(pool, rows)
    figures["copy_cpu"] = rate(N, time.process_time() - cpu)
    values = [(s.stream_id.encode(), s.data) for s in sealed]
    cpu = time.process_time()
    figures["produce"] = await ceiling_produce(bootstrap, raw_topic, values)
    figures["produce_cpu"] = rate(N, time.process_time() - cpu)
    cpu = time.process_time()
    figures["consume"] = await ceiling_consume(bootstrap, raw_topic, N)
    figures["consume_cpu"] = rate(N, time.process_time() - cpu)
    return figures


async def pipeline(
    server: str, bootstrap: str, run: str, per_append: int, n: int, *, profile: bool = False
) -> dict[str, float]:
    """Appenders, the relay and a consumer at once, each stage in its own process as in
    production, on a database of its own; events/s of each stage, and its CPU seconds per
    1,000 events."""
    name = f"p{per_append}"
    db = await create_database(server, f"bench_{run}_{name}")
    pool = await asyncpg.create_pool(db, min_size=2, max_size=12)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, LIBRARY, KEYRING)
        master = new_data_key()
        codec = Codec(CachedKeyring(PostgresKeyring(pool, master), ttl_s=3600))
        return await _pipeline(pool, codec, db, bootstrap, master, run, per_append, n, profile)
    finally:
        await pool.close()
        await drop_database(server, db)


async def _pipeline(
    pool: asyncpg.Pool, codec: Codec, db: str, bootstrap: str, master: bytes, run: str,
    per_append: int, n: int, profile: bool,
) -> dict[str, float]:  # fmt: skip
    name = f"p{per_append}"
    topic, group, table = f"bench{run}.{name}.events", f"bench{run}.{name}", f"projection_{name}"
    await ensure_topics(bootstrap, [topic], partitions=6)
    await pool.execute(
        f"CREATE TABLE {table} (stream_id text, version int, vacancy_id text, score float8)"
    )
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    workers = [
        spawn.Process(target=relay_process, args=(db, bootstrap, topic, stop)),
        spawn.Process(
            target=consumer_process, args=(db, bootstrap, topic, group, table, master, stop)
        ),
    ]
    for w in workers:
        w.start()
    store = EventStore(pool, codec, "bench")
    await asyncio.sleep(3)  # let the workers connect and join their group
    cpu = [time.process_time(), *(cpu_seconds(w.pid or 0) for w in workers)]
    start = time.perf_counter()
    per_stream = n // STREAMS

    async def appender(k: int) -> None:
        for s in range(k, STREAMS, APPENDERS):
            version = NO_STREAM
            while version < per_stream:
                events = [sample(s) for _ in range(min(per_append, per_stream - version))]
                await store.append(f"{name}-s{s}", version, events, subject_id=f"p{s}")
                version += len(events)

    with profiled("pipeline", os.getpid(), subprocesses=True) if profile else nullcontext():
        await asyncio.gather(*(appender(k) for k in range(APPENDERS)))
        store_s = time.perf_counter() - start
        relay_s, consumer_s = await _until_projected(pool, group, workers, start, n)
    used = [time.process_time() - cpu[0],
            *(cpu_seconds(w.pid or 0) - c for w, c in zip(workers, cpu[1:], strict=True))]  # fmt: skip
    stop.set()
    for w in workers:
        w.join(30)
    count = await pool.fetchval(f"SELECT count(*) FROM {table}")
    assert count == n, f"projected {count} rows, expected {n}"
    return {"store": rate(n, store_s), "relay": rate(n, relay_s), "pipeline": rate(n, consumer_s),
            "store_cpu": 1e6 * used[0] / n, "relay_cpu": 1e6 * used[1] / n,
            "consumer_cpu": 1e6 * used[2] / n}  # fmt: skip


async def main() -> None:
    server = os.environ["DATABASE_URL"]
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    run = uuid.uuid4().hex[:8]
    db = await create_database(server, f"bench_{run}")
    pool = await asyncpg.create_pool(db, min_size=2, max_size=12)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, LIBRARY, KEYRING)
        master = new_data_key()
        codec = Codec(CachedKeyring(PostgresKeyring(pool, master), ttl_s=3600))
        raw_topic = f"bench{run}.raw"
        await ensure_topics(bootstrap, [raw_topic], partitions=6)
        print(f"pipeline benchmark: N={N:,} events, {STREAMS} streams, {APPENDERS} appenders; "
              f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")  # fmt: skip
        c = await ceilings(pool, codec, bootstrap, raw_topic)
        ceiling = min(c["copy"], c["produce"], c["consume"])
        p = await pipeline(server, bootstrap, run, PER_APPEND, N, profile=True)
        sizes = {PER_APPEND: p}
        if SCALE:
            for per_append, n in ((1, N // 10), (1000, N)):
                sizes[per_append] = await pipeline(server, bootstrap, run, per_append, n)
        stage_cpu = {k: 1e6 / p[f"{k}_cpu"] for k in ("store", "relay", "consumer")}
        print(table(["stage", "events/s", "per CPU s (its process)"], [
            ["seal (encrypt + hash), alone", c["seal"], c["seal_cpu"]],
            ["ceiling: raw asyncpg COPY", c["copy"], c["copy_cpu"]],
            ["ceiling: raw aiokafka produce (batches)", c["produce"], c["produce_cpu"]],
            ["ceiling: raw aiokafka consume", c["consume"], c["consume_cpu"]],
            ["store append (all stages running)", p["store"], stage_cpu["store"]],
            ["relay publish", p["relay"], stage_cpu["relay"]],
            ["consumer projection (= pipeline)", p["pipeline"], stage_cpu["consumer"]],
        ]))  # fmt: skip
        slowest_cpu = min(stage_cpu.values())
        ceiling_cpu = min(c["copy_cpu"], c["produce_cpu"], c["consume_cpu"])
        print(table(["events per transaction", "pipeline events/s", "store events/s",
                     "CPU µs/event: store", "relay", "consumer"],
                    [[k, v["pipeline"], v["store"], v["store_cpu"], v["relay_cpu"],
                      v["consumer_cpu"]] for k, v in sorted(sizes.items())]))  # fmt: skip
        if len(sizes) > 1:
            chart = Chart("pipeline-by-transaction-size", "Pipeline by events per transaction",
                          "events per transaction", "events/s", log_x=True)  # fmt: skip
            chart.plot([(k, v["pipeline"]) for k, v in sorted(sizes.items())], "pipeline")
            chart.plot([(k, v["store"]) for k, v in sorted(sizes.items())], "store append")
            chart.save()
        print(f"slowest stage per CPU second {slowest_cpu:,.0f}, slowest raw stage per CPU "
              f"second {ceiling_cpu:,.0f}: each stage on a core of its own, the pipeline "
              f"would run at {slowest_cpu / ceiling_cpu:.2f} of its ceiling")  # fmt: skip
        print(
            f"RESULT pipeline_eps={p['pipeline']:.0f} ceiling_eps={ceiling:.0f} "
            f"ratio={slowest_cpu / ceiling_cpu:.2f} wall_ratio={p['pipeline'] / ceiling:.2f}"
        )
    finally:
        await pool.close()
        await drop_database(server, db)


if __name__ == "__main__":
    asyncio.run(main())
