"""Readiness of the local (or given) infrastructure: a real `SELECT 1` on
PostgreSQL and a real produce/consume round trip through Kafka.

Reads DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS; exits non-zero when either
is not ready within the time limit.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError

TOPIC = "_ac_readiness"
DEADLINE_S = 60.0


async def postgres_ready(url: str) -> str:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            conn = await asyncpg.connect(url, timeout=5)
            try:
                one = await conn.fetchval("SELECT 1")
                version = await conn.fetchval("SHOW server_version")
            finally:
                await conn.close()
            assert one == 1
            return str(version)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def kafka_round_trip(bootstrap: str) -> str:
    deadline = time.monotonic() + DEADLINE_S
    marker = uuid.uuid4().hex.encode()
    while True:
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=True
        )
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
        )
        try:
            await producer.start()
            await consumer.start()
            # Make sure the topic exists before positioning the consumer.
            await producer.send_and_wait(TOPIC, b"warm-up")
            consumer.subscribe([TOPIC])
            await consumer.getmany(timeout_ms=500)
            await consumer.seek_to_end()
            await producer.send_and_wait(TOPIC, marker)
            while time.monotonic() < deadline:
                batches = await consumer.getmany(timeout_ms=1000)
                for records in batches.values():
                    if any(r.value == marker for r in records):
                        return bootstrap
            raise TimeoutError("produced message never came back")
        except (KafkaError, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
        finally:
            await consumer.stop()
            await producer.stop()


async def main() -> int:
    db_url = os.environ["DATABASE_URL"]
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    t0 = time.monotonic()
    pg_version, _ = await asyncio.gather(postgres_ready(db_url), kafka_round_trip(bootstrap))
    print(
        f"[infra] ready: PostgreSQL {pg_version} (SELECT 1 ok), Kafka at {bootstrap} "
        f"(produce/consume round trip ok) in {time.monotonic() - t0:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
