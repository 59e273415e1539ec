"""Every replica forgets an erased person's data key the moment the erasure is published.

A service caches data keys for a minute (`CachedKeyring`). Identity destroys the key, then
publishes `SubjectErased`; a consumer group hands that record to one replica only, so the
others would go on decrypting from their cache until it expires (issue 14, item 8). Each
replica therefore reads identity's topic itself, outside any group, from its end on, and
drops the key of every `SubjectErased` it sees (by the record's `ac-type` header and its
key, the subject id: nothing is decoded).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from ac_events.kafka import ensure_topics, topic_for
from ac_events.keyring import CachedKeyring
from ac_platform.resources import Resources

log = logging.getLogger(__name__)


class ErasureListener:
    """A `Worker`: this replica's reader of `identity.events`, forgetting erased keys."""

    def __init__(self, bootstrap: str, topic: str, keyring: CachedKeyring) -> None:
        self.name = f"erasures:{topic}"
        self._bootstrap = bootstrap
        self.topic = topic
        self.keyring = keyring
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
        )
        self._assigned = False
        self._stopping = asyncio.Event()
        self.forgotten = 0

    async def run(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        await admin.start()
        try:
            [described] = await admin.describe_topics([self.topic])
        finally:
            await admin.close()
        tps = [TopicPartition(self.topic, p["partition"]) for p in described["partitions"]]
        await self._consumer.start()
        try:
            self._consumer.assign(tps)
            ends = await self._consumer.end_offsets(tps)
            for tp in tps:  # an explicit offset (`seek_to_end` moves lazily)
                self._consumer.seek(tp, ends[tp])
            self._assigned = True
            while not self._stopping.is_set():
                batches = await self._consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        headers = dict(record.headers or ())
                        if headers.get("ac-type") == b"SubjectErased" and record.key:
                            self.keyring.forget(record.key.decode())
                            self.forgotten += 1
        finally:
            with contextlib.suppress(Exception):
                await self._consumer.stop()

    async def stop(self) -> None:
        self._stopping.set()

    def ready(self) -> bool:
        return self._assigned


async def erasure_listener(res: Resources, keyring: CachedKeyring) -> ErasureListener:
    topic = topic_for("identity", res.settings.topic_prefix)
    await ensure_topics(res.kafka_servers, [topic])
    return ErasureListener(res.kafka_servers, topic, keyring)
