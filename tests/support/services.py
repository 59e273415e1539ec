"""Other services, as far as a test needs them: their event store, published to Kafka.

A test that needs identity's or matching's events uses the real path: the
events are appended to that service's own event store (a database of its
own) and the outbox relay publishes them to its topic.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from ac_events.catalogue import Event
from ac_events.codec import Codec
from ac_events.crypto import new_data_key
from ac_events.kafka import ensure_topics, make_producer, topic_for
from ac_events.keyring import PostgresKeyring
from ac_events.relay import OutboxRelay
from ac_events.store import ANY_VERSION, EventStore
from tests.support.db import apply_library_schema
from tests.support.infra import create_database, drop_database


@dataclass
class Upstream:
    store: EventStore
    relay: OutboxRelay

    async def publish(self, stream_id: str, *events: Event, subject_id: str | None = None) -> None:
        """Append to the service's store and publish everything pending to its topic."""
        await self.store.append(stream_id, ANY_VERSION, list(events), subject_id=subject_id)
        await self.relay.publish_pending()


@asynccontextmanager
async def upstream(
    producer: str, server_url: str, bootstrap: str, prefix: str
) -> AsyncIterator[Upstream]:
    url = await create_database(server_url)
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
    kafka = make_producer(bootstrap)
    await kafka.start()
    try:
        async with pool.acquire() as conn:
            await apply_library_schema(conn)
        topic = topic_for(producer, prefix)
        await ensure_topics(bootstrap, [topic])
        store = EventStore(pool, Codec(PostgresKeyring(pool, new_data_key())), producer)
        yield Upstream(store, OutboxRelay(store, kafka, topic))
    finally:
        await kafka.stop()
        await pool.close()
        await drop_database(server_url, url)
