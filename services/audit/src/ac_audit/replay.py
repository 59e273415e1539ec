"""Reading the log back from Kafka: every topic from its beginning to where it ends now.

The end of each partition is fixed when the replay starts (or given as
offsets), so a replay of a live log is a consistent cut per partition. Each
stream lives in one partition (records are keyed by subject or stream), so
its events arrive in order. (`LogState.until` keeps only the events recorded by a time.)
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from ac_audit.state import LogState, owner_of

Progress = Callable[[int, int], None]
"""Called with (records read, records to read)."""


async def partitions(bootstrap: str, topics: Sequence[str]) -> list[TopicPartition]:
    """The partitions of those `topics` that exist (a service that never published has none).

    Asked of the admin API: listing all topics first, so that asking never auto-creates one.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics()) & set(topics)
        described = await admin.describe_topics(sorted(existing)) if existing else []
    finally:
        await admin.close()
    return [
        TopicPartition(t["topic"], p["partition"])
        for t in sorted(described, key=lambda t: t["topic"])
        for p in sorted(t["partitions"], key=lambda p: p["partition"])
    ]


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: the log state grows by millions of long-lived
    objects and holds no cycles, and the collector would walk them all again and again
    (issue 20: a third of a replay's time, a quarter of the rules'). Reference counting
    still frees what is dropped. On the way out what exists is frozen (`gc.freeze`) before
    the collector is enabled again: otherwise its next run walks the whole state once more
    (a fifth of an audit's time, in the profile of `make bench-audit`)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


async def replay(
    bootstrap: str,
    topics: Sequence[str],
    state: LogState,
    *,
    prefix: str = "",
    end_offsets: Mapping[TopicPartition, int] | None = None,
    progress: Progress | None = None,
    only: Sequence[TopicPartition] | None = None,
) -> LogState:
    """Fold every record of `topics` (or of the partitions `only`) into `state`."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    try:
        await consumer.start()
        tps = await partitions(bootstrap, topics)
        if only is not None:
            tps = [tp for tp in tps if tp in set(only)]
        if not tps:
            return state
        consumer.assign(tps)
        starts = await consumer.beginning_offsets(tps)
        ends = dict(await consumer.end_offsets(tps))
        for tp, offset in (end_offsets or {}).items():
            if tp in ends:
                ends[tp] = min(ends[tp], offset)
        for tp in tps:
            consumer.seek(tp, starts[tp])
        total = sum(max(0, ends[tp] - starts[tp]) for tp in tps)
        owners = {tp.topic: owner_of(tp.topic, prefix) for tp in tps}
        pending = {tp for tp in tps if ends[tp] > starts[tp]}
        with without_cyclic_gc():
            await _read(consumer, pending, ends, owners, state, total, progress)
        return state
    finally:
        await consumer.stop()


async def _read(
    consumer: AIOKafkaConsumer,
    pending: set[TopicPartition],
    ends: Mapping[TopicPartition, int],
    owners: Mapping[str, str | None],
    state: LogState,
    total: int,
    progress: Progress | None,
) -> None:
    read = 0
    while pending:
        batches = await consumer.getmany(*pending, timeout_ms=1000, max_records=20_000)
        for tp, records in batches.items():
            end = ends[tp]
            for r in records:
                if r.offset >= end:
                    break
                read += 1
                _add(state, tp.topic, owners[tp.topic], r.value or b"")
        for tp in list(pending):  # explicit seeks: the position is where reading stands
            if await consumer.position(tp) >= ends[tp]:
                pending.discard(tp)
        if progress is not None:
            progress(read, total)


def _add(state: LogState, topic: str, owner: str | None, data: bytes) -> None:
    try:
        record = orjson.loads(data)
    except orjson.JSONDecodeError:
        record = None
    state.add(topic, owner, record if isinstance(record, dict) else {"type": None}, data)
