"""The infrastructure is the real thing: Apache Kafka and PostgreSQL over real sockets."""

from __future__ import annotations

import logging
import re
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from tests.support.infra import REPO_ROOT, Infra, unique_prefix

log = logging.getLogger(__name__)


def broker_version() -> str | None:
    """The version the running broker printed at start-up (native runs)."""
    server_log = REPO_ROOT / ".cache" / "infra" / "kafka" / "logs" / "server.log"
    if not server_log.exists():
        return None
    found = re.findall(r"Kafka version: (\S+)", server_log.read_text(errors="replace"))
    return found[-1] if found else None


async def test_kafka_idempotent_round_trip_through_a_consumer_group(infra: Infra) -> None:
    bootstrap = infra.kafka_bootstrap_servers
    topic = f"{unique_prefix()}infra-check"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
        cluster = await admin.describe_cluster()
    finally:
        await admin.close()
    version = broker_version()
    log.warning("Kafka broker version %s, cluster %s", version, cluster["cluster_id"])
    assert cluster["brokers"], "a real broker answers DescribeCluster"
    if infra.source == "native":
        assert version is not None and version.startswith("4."), version

    sent = {f"m{i}".encode() for i in range(1000)}
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        futures = [await producer.send(topic, key=m[-1:], value=m) for m in sorted(sent)]
        for fut in futures:
            await fut
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"infra-check-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    received: list[bytes] = []
    try:
        for _ in range(60):
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                received.extend(r.value for r in records)
            if len(received) >= len(sent):
                break
        await consumer.commit()
        committed = {tp: await consumer.committed(tp) for tp in consumer.assignment()}
    finally:
        await consumer.stop()
    assert len(received) == 1000
    assert set(received) == sent
    assert sum(o or 0 for o in committed.values()) == 1000


async def test_postgres_is_real(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT 1") == 1
        version = await conn.fetchval("SHOW server_version_num")
    finally:
        await conn.close()
    assert int(version) >= 140000
