"""After a fault: wait until the platform has caught up, measured from outside the services.

Caught up means, all at once:
- every service answers `/readyz` with 200;
- every event store's outbox is published (`outbox_relay.position` = its newest event);
- every consumer group has applied its topics to their end (the offsets it stores in its
  own database, in the transactions of its effects, equal the partitions' end offsets);
- notifications has no message waiting (`pending` or `sending`).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from ac_contracts.services import SERVICES as REGISTRY
from ac_events.kafka import PRODUCERS, topic_for
from tests.chaos.platform import ChaosPlatform

GROUPS = {"resumes": ("identity",), "matching": ("identity", "resumes"),
          "consent": ("identity", "matching"),
          "notifications": ("identity", "consent", "matching")}  # fmt: skip
"""Each consumer group (named after its service) and the services whose topics it reads."""
STORES = tuple(s.name for s in REGISTRY if s.name in PRODUCERS)


@dataclass
class Behind:
    unready: list[str]
    outbox: int
    """Events stored, not yet published, over every store."""
    lag: int
    """Records not yet applied, over every group."""
    waiting: int
    """Messages pending or being sent."""

    @property
    def caught_up(self) -> bool:
        return not self.unready and not self.outbox and not self.lag and not self.waiting

    def __str__(self) -> str:
        return (f"unready={','.join(self.unready) or '-'} outbox={self.outbox} lag={self.lag} "
                f"messages waiting={self.waiting}")  # fmt: skip


async def end_offsets_of(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        return await end_offsets(consumer, [topic])
    finally:
        await consumer.stop()


async def end_offsets(consumer: AIOKafkaConsumer, topics: list[str]) -> dict[TopicPartition, int]:
    await consumer._client.force_metadata_update()
    tps = [TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or [])]
    return dict(await consumer.end_offsets(tps)) if tps else {}


async def behind(
    platform: ChaosPlatform, client: httpx.AsyncClient, consumer: AIOKafkaConsumer
) -> Behind:
    ready = await platform.readiness(client)
    unready = [s for s, status in ready.items() if status != 200]
    ends = await end_offsets(consumer, [topic_for(p) for p in PRODUCERS])
    outbox = lag = waiting = 0
    for service in STORES:
        conn = await asyncpg.connect(platform.database_url(service), timeout=5)
        try:
            newest = await conn.fetchval("SELECT coalesce(max(position), 0) FROM events")
            done = await conn.fetchval(
                "SELECT coalesce(max(position), 0) FROM outbox_relay WHERE topic = $1",
                topic_for(service),
            )
            outbox += int(newest) - int(done)
            if service in GROUPS:
                stored = {
                    TopicPartition(r["topic"], r["partition"]): int(r["next_offset"])
                    for r in await conn.fetch(
                        "SELECT topic, partition, next_offset FROM consumer_offsets "
                        "WHERE group_id = $1",
                        service,
                    )
                }
                for tp, end in ends.items():
                    if tp.topic in {topic_for(s) for s in GROUPS[service]}:
                        lag += max(0, end - stored.get(tp, 0))
            if service == "notifications":
                waiting = int(await conn.fetchval(
                    "SELECT count(*) FROM messages WHERE status IN ('pending', 'sending')"
                ))  # fmt: skip
        finally:
            await conn.close()
    return Behind(unready, outbox, lag, waiting)


async def settle(platform: ChaosPlatform, bound_s: float) -> float:
    """Seconds until the platform has caught up (fails past `bound_s`)."""
    started = time.monotonic()
    last: Behind | None = None
    consumer = AIOKafkaConsumer(
        bootstrap_servers=platform.infra.env["KAFKA_BOOTSTRAP_SERVERS"], enable_auto_commit=False
    )
    await consumer.start()
    try:
        async with httpx.AsyncClient() as client:
            while time.monotonic() - started < bound_s:
                try:
                    last = await behind(platform, client, consumer)
                except (TimeoutError, OSError, asyncpg.PostgresError, KafkaError) as exc:
                    last = Behind([f"({type(exc).__name__})"], -1, -1, -1)
                if last.caught_up:
                    return time.monotonic() - started
                await asyncio.sleep(0.5)
            why = [(await client.get(f"{platform.url(s)}/readyz")).text for s in last.unready
                   if not s.startswith("(")] if last else []  # fmt: skip
    finally:
        await consumer.stop()
    raise AssertionError(f"not caught up within {bound_s:.0f} s: {last}\n" + "\n".join(why))
