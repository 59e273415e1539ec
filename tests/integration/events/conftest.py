"""A store wired to a fresh database, a keyring and a topic of the test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest

from ac_events.codec import Codec
from ac_events.crypto import new_data_key
from ac_events.kafka import ensure_topics
from ac_events.keyring import CachedKeyring, PostgresKeyring
from ac_events.store import EventStore
from tests.support.db import apply_library_schema


@dataclass
class Rig:
    pool: asyncpg.Pool
    keyring: CachedKeyring
    store: EventStore
    topic: str
    bootstrap: str
    master: bytes


@pytest.fixture
async def rig(database_url: str, kafka_bootstrap: str, topic_prefix: str) -> AsyncIterator[Rig]:
    pool = await asyncpg.create_pool(database_url, min_size=2, max_size=40)
    async with pool.acquire() as conn:
        await apply_library_schema(conn)
    master = new_data_key()
    keyring = CachedKeyring(PostgresKeyring(pool, master))
    store = EventStore(pool, Codec(keyring), producer="tests")
    topic = f"{topic_prefix}tests.events"
    await ensure_topics(kafka_bootstrap, [topic], partitions=6)
    yield Rig(pool, keyring, store, topic, kafka_bootstrap, master)
    await pool.close()
