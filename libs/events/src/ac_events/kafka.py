"""Kafka conventions (architecture.md §4) and clients configured for them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

PRODUCERS = ("identity", "resumes", "matching", "consent", "notifications", "desk")
"""The services that own a topic."""

DEFAULT_PARTITIONS = 6


def topic_for(producer: str, prefix: str = "") -> str:
    """The topic a service publishes its events to: `<service>.events`."""
    return f"{prefix}{producer}.events"


def dead_letter_topic(group_id: str, prefix: str = "") -> str:
    """Each consumer group's own dead-letter topic."""
    return f"{prefix}{group_id}.dlq"


def make_producer(bootstrap_servers: str, **overrides: Any) -> AIOKafkaProducer:
    """A durable producer: idempotent, acks from every in-sync replica, order kept."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
        "request_timeout_ms": 30_000,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    partitions: int = DEFAULT_PARTITIONS,
    replication_factor: int = 1,
) -> None:
    """Create the topics that do not exist yet, kept forever (`retention.ms=-1`)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=t,
                num_partitions=partitions,
                replication_factor=replication_factor,
                topic_configs={"retention.ms": "-1", "retention.bytes": "-1"},
            )
            for t in dict.fromkeys(topics)
            if t not in existing
        ]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
    finally:
        await admin.close()
