"""Reading whole topics back in tests."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


async def read_topic(bootstrap: str, topic: str, timeout_s: float = 60.0) -> list[ConsumerRecord]:
    """Every record of a topic, up to its end offsets now, partition by partition in order."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        for _ in range(50):
            if partitions:
                break
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic)
            await asyncio.sleep(0.1)
        tps = [TopicPartition(topic, p) for p in sorted(partitions or [])]
        consumer.assign(tps)
        starts = await consumer.beginning_offsets(tps)
        for tp in tps:  # an explicit offset: `seek_to_beginning` resets lazily, and `position`
            consumer.seek(tp, starts[tp])  # may answer before it has (seen reading nothing)
        ends = await consumer.end_offsets(tps)
        records: list[ConsumerRecord] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            positions = {tp: await consumer.position(tp) for tp in tps}
            if all(positions[tp] >= ends[tp] for tp in tps):
                break
            if loop.time() > deadline:
                raise TimeoutError(f"could not read {topic} to its end")
            batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
            for recs in batches.values():
                records.extend(recs)
        return records
    finally:
        await consumer.stop()


async def wait_for_count(bootstrap: str, topic: str, count: int, timeout_s: float = 60.0) -> None:
    """Wait until a topic holds at least `count` records."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            partitions = consumer.partitions_for_topic(topic) or set()
            tps = [TopicPartition(topic, p) for p in partitions]
            total = sum((await consumer.end_offsets(tps)).values()) if tps else 0
            if total >= count:
                return
            if loop.time() > deadline:
                raise TimeoutError(f"{topic} holds {total} records, expected {count}")
            await consumer._client.force_metadata_update()
            await asyncio.sleep(0.2)
    finally:
        await consumer.stop()


async def delete_topics(bootstrap: str, prefix: str) -> list[str]:
    """Deletes every topic whose name starts with `prefix`; returns their names."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        doomed = sorted(t for t in await admin.list_topics() if t.startswith(prefix))
        for start in range(0, len(doomed), 100):
            await admin.delete_topics(doomed[start : start + 100], timeout_ms=60_000)
        return doomed
    finally:
        await admin.close()
