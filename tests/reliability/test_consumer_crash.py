"""A consumer process killed with SIGKILL at arbitrary moments, restarted, and in the
end every effect exists exactly once (real Kafka, real PostgreSQL, real processes).

Run as a module, this file is the worker: a ConsumerRunner whose handler writes
one row per event, configured from the environment the test gives it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import ClassVar

import asyncpg
import pytest

from ac_events.catalogue.base import EVENT_TYPES, Event, Personal, register
from ac_events.codec import Codec, SealedEvent
from ac_events.consumer import ConsumerRunner, on
from ac_events.crypto import new_data_key
from ac_events.envelope import GENESIS_HASH, Envelope
from ac_events.kafka import ensure_topics, make_producer
from ac_events.keyring import CachedKeyring, PostgresKeyring
from tests.support.db import apply_library_schema

REPO_ROOT = Path(__file__).resolve().parents[2]
STREAMS, PER_STREAM, REPUBLISHED = 30, 20, 150
EVENTS = STREAMS * PER_STREAM
RECORDS = EVENTS + REPUBLISHED


class CrashProbeNoted(Event):
    type: ClassVar[str] = "CrashProbeNoted"
    producer: ClassVar[str] = "tests"
    seq: int
    note: Personal[str]


if CrashProbeNoted.type not in EVENT_TYPES:
    register(CrashProbeNoted)

EFFECTS = """
CREATE TABLE effects (event_id uuid NOT NULL, seq int NOT NULL)
"""  # no unique key: a second application would be a second row


# -- the worker process ----------------------------------------------------


async def record_effect(conn: asyncpg.Connection, env: Envelope[CrashProbeNoted]) -> None:
    await conn.execute(
        "INSERT INTO effects (event_id, seq) VALUES ($1, $2)", env.event_id, env.payload.seq
    )
    await asyncio.sleep(0.002)  # widen the window in which a kill lands mid-transaction


async def worker() -> None:
    env = os.environ
    pool = await asyncpg.create_pool(env["CRASH_DATABASE_URL"], min_size=1, max_size=4)
    codec = Codec(CachedKeyring(PostgresKeyring(pool, bytes.fromhex(env["CRASH_MASTER_KEY"]))))
    runner = ConsumerRunner(
        group_id=env["CRASH_GROUP"],
        topics=[env["CRASH_TOPIC"]],
        bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"],
        pool=pool,
        codec=codec,
        handlers=dict([on(CrashProbeNoted, record_effect)]),
        topic_prefix=env["CRASH_PREFIX"],
        max_batch=50,
        poll_timeout_ms=200,
        consumer_options={"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000},
    )
    loop = asyncio.get_running_loop()
    stopping: set[asyncio.Task[None]] = set()
    loop.add_signal_handler(signal.SIGTERM, lambda: stopping.add(loop.create_task(runner.stop())))
    await runner.run()
    await pool.close()


# -- the test ----------------------------------------------------------------


async def _seal_streams(codec: Codec) -> list[SealedEvent]:
    sealed: list[SealedEvent] = []
    for k in range(STREAMS):
        prev = GENESIS_HASH
        for version in range(1, PER_STREAM + 1):
            s = await codec.seal(
                CrashProbeNoted(seq=k * PER_STREAM + version, note=f"note {version}"),
                stream_id=f"s-{k}",
                stream_version=version,
                subject_id=f"p-{k}",
                producer="tests",
                prev_hash=prev,
            )
            prev = s.hash
            sealed.append(s)
    return sealed


async def _publish(bootstrap: str, topic: str, events: Sequence[SealedEvent]) -> None:
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        futures = [
            await producer.send(
                topic,
                s.data,
                key=(s.subject_id or s.stream_id).encode(),
                headers=[("ac-event-id", str(s.event_id).encode()), ("ac-type", s.type.encode())],
            )
            for s in events
        ]
        for f in futures:
            await f
    finally:
        await producer.stop()


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    async with pool.acquire() as conn:
        await apply_library_schema(conn)
        await conn.execute(EFFECTS)
    yield pool
    await pool.close()


async def _wait(pool: asyncpg.Pool, sql: str, at_least: int, proc: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 90
    while True:
        value = int(await pool.fetchval(sql))
        if value >= at_least:
            return value
        assert proc.poll() is None, f"worker exited early with {proc.returncode}"
        assert time.monotonic() < deadline, f"stuck at {value} < {at_least}"
        await asyncio.sleep(0.02)


@pytest.mark.slow
async def test_sigkilled_consumers_restart_and_every_effect_exists_exactly_once(
    pool: asyncpg.Pool, database_url: str, kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    master_key = new_data_key()
    codec = Codec(CachedKeyring(PostgresKeyring(pool, master_key)))
    topic = f"{topic_prefix}tests.events"
    await ensure_topics(kafka_bootstrap, [topic], partitions=3)
    sealed = await _seal_streams(codec)
    await _publish(kafka_bootstrap, topic, sealed)
    await _publish(kafka_bootstrap, topic, sealed[::4][:REPUBLISHED])  # duplicates, new offsets

    env = os.environ | {
        "CRASH_DATABASE_URL": database_url,
        "CRASH_MASTER_KEY": master_key.hex(),
        "CRASH_GROUP": f"{topic_prefix}crash",
        "CRASH_TOPIC": topic,
        "CRASH_PREFIX": topic_prefix,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
    }

    def spawn(n: int) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"worker{n}.log").open("wb")
        return subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.test_consumer_crash"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    effects = "SELECT count(*) FROM effects"
    stored = "SELECT coalesce(sum(next_offset), 0) FROM consumer_offsets"
    killed_at: list[int] = []
    for n, target in enumerate((120, 330)):
        proc = spawn(n)
        try:
            await _wait(pool, effects, target, proc)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        killed_at.append(int(await pool.fetchval(effects)))

    last = spawn(2)
    try:
        await _wait(pool, stored, RECORDS, last)
    finally:
        last.send_signal(signal.SIGTERM)  # graceful: finish the batch, leave the group
        code = last.wait(30)
    assert code == 0, (tmp_path / "worker2.log").read_text()

    assert all(0 < k < EVENTS for k in killed_at), killed_at  # killed mid-stream, twice
    assert int(await pool.fetchval(effects)) == EVENTS
    assert int(await pool.fetchval("SELECT count(DISTINCT event_id) FROM effects")) == EVENTS
    doubles = await pool.fetch("SELECT seq FROM effects GROUP BY seq HAVING count(*) > 1")
    assert doubles == []
    assert int(await pool.fetchval(stored)) == RECORDS


if __name__ == "__main__":
    asyncio.run(worker())
