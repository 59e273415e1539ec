"""A relay process SIGKILLed mid-stream and restarted loses nothing and keeps stream order.

Run as a module, this file is the relay worker the test starts and kills.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import defaultdict

import asyncpg
import orjson
import pytest

from ac_events.codec import Codec
from ac_events.crypto import new_data_key
from ac_events.kafka import ensure_topics, make_producer
from ac_events.keyring import NoKeys, PostgresKeyring
from ac_events.relay import OutboxRelay
from ac_events.store import NO_STREAM, EventStore
from tests.support.db import apply_library_schema
from tests.support.kafka import read_topic, wait_for_count
from tests.support.sample_events import SampleNoted

pytestmark = pytest.mark.slow


async def worker(database_url: str, bootstrap: str, topic: str) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    producer = make_producer(bootstrap)
    await producer.start()
    relay = OutboxRelay(
        EventStore(pool, Codec(NoKeys()), "tests"), producer, topic, batch_size=20
    )  # (small: still mid-way at a kill)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, relay.stop)
    await relay.run()
    await producer.stop()
    await pool.close()


def start_worker(database_url: str, bootstrap: str, topic: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.test_relay_crash",
            database_url,
            bootstrap,
            topic,
        ],
        cwd=os.getcwd(),
    )


async def checkpoint(pool: asyncpg.Pool, topic: str) -> int:
    return int(await pool.fetchval("SELECT position FROM outbox_relay WHERE topic=$1", topic) or 0)


async def test_sigkilled_relay_restarts_without_loss(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = f"{topic_prefix}tests.events"
    await ensure_topics(kafka_bootstrap, [topic], partitions=4)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    async with pool.acquire() as conn:
        await apply_library_schema(conn)
    store = EventStore(pool, Codec(PostgresKeyring(pool, new_data_key())), "tests")
    streams, per_stream = 200, 100
    total = streams * per_stream
    for s in range(streams):
        events = [SampleNoted(seq=k, note=f"n{k}") for k in range(per_stream)]
        await store.append(f"s{s}", NO_STREAM, events, subject_id=f"p{s}")

    kills = 0
    proc = start_worker(database_url, kafka_bootstrap, topic)
    try:
        # Kill the relay twice while it is half-way through, then let it finish.
        for target in (total // 4, total // 2):
            await wait_for_count(kafka_bootstrap, topic, target, timeout_s=120)
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            kills += 1
            assert await checkpoint(pool, topic) < total, "killed before it finished"
            proc = start_worker(database_url, kafka_bootstrap, topic)
        await wait_for_count(kafka_bootstrap, topic, total, timeout_s=120)
        for _ in range(100):
            if await checkpoint(pool, topic) == total:
                break
            await asyncio.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert kills == 2
    assert await checkpoint(pool, topic) == total

    stored = {str(r["event_id"]) for r in await pool.fetch("SELECT event_id FROM events")}
    await pool.close()
    records = await read_topic(kafka_bootstrap, topic)
    assert {dict(r.headers)["ac-event-id"].decode() for r in records} == stored
    seen: dict[str, list[int]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        rec = orjson.loads(r.value)
        versions = seen[rec["stream_id"]]
        if rec["stream_version"] not in versions:  # a redelivery after the crash
            versions.append(rec["stream_version"])
    assert all(v == list(range(1, per_stream + 1)) for v in seen.values())
    assert len(seen) == streams


if __name__ == "__main__":
    asyncio.run(worker(*sys.argv[1:4]))
