"""The replay split across processes: each replays some partitions, the states are merged.

A stream lives in one partition (records are keyed by subject or stream), so a
partition's records can be folded without seeing any other's; `LogState.merge`
puts the pieces together. The cut (each partition's end offset) is fixed once,
before any worker starts, so every worker reads the same consistent cut.

Two ways to run it:
- `read_log_split(..., workers=N)`: N local processes (`ac-audit check --workers N`);
- `replay_part` + `save_part` / `merge_parts`: one process per completion index of a Kubernetes
  indexed Job, each writing its state to a volume, and a final merge
  (`ac-audit part`, `ac-audit merge`; deploy/k8s/components/audit-job).

A part is a pickle: it is written and read only by the audit's own pods, on a
volume no one else mounts.
"""

from __future__ import annotations

import asyncio
import os
import pickle
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

from ac_audit.replay import partitions, replay, without_cyclic_gc
from ac_audit.state import LogState
from ac_events.kafka import PRODUCERS, topic_for


def _topics(prefix: str) -> list[str]:
    return [topic_for(p, prefix) for p in PRODUCERS]


async def cut(
    bootstrap: str, prefix: str, end_offsets: Mapping[TopicPartition, int] | None = None
) -> dict[TopicPartition, tuple[int, int]]:
    """Every partition of the service topics with (first offset, end offset) as of now."""
    tps = await partitions(bootstrap, _topics(prefix))
    if not tps:
        return {}
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        starts = await consumer.beginning_offsets(tps)
        ends = dict(await consumer.end_offsets(tps))
    finally:
        await consumer.stop()
    for tp, offset in (end_offsets or {}).items():
        if tp in ends:
            ends[tp] = min(ends[tp], offset)
    return {tp: (starts[tp], max(starts[tp], ends[tp])) for tp in tps}


def share(sizes: Mapping[TopicPartition, int], workers: int) -> list[list[TopicPartition]]:
    """Partitions dealt to `workers` so that each has about as many records to read
    (largest first, each to the least loaded); deterministic."""
    shares: list[list[TopicPartition]] = [[] for _ in range(max(1, workers))]
    load = [0] * len(shares)
    for tp in sorted(sizes, key=lambda tp: (-sizes[tp], tp.topic, tp.partition)):
        least = load.index(min(load))
        shares[least].append(tp)
        load[least] += sizes[tp]
    return shares


def by_index(tps: Sequence[TopicPartition], index: int, count: int) -> list[TopicPartition]:
    """The partitions of completion `index` of `count` (every count-th, in topic order):
    what each pod of the indexed Job reads, computed alike by every pod."""
    ordered = sorted(tps, key=lambda tp: (tp.topic, tp.partition))
    return ordered[index::count]


async def replay_some(
    bootstrap: str,
    prefix: str,
    only: Sequence[TopicPartition],
    ends: Mapping[TopicPartition, int],
    *,
    until: datetime | None = None,
    subject: str | None = None,
) -> LogState:
    """The state of these partitions alone, up to `ends`."""
    state = LogState(keep_subject=subject, until=until)
    if only:
        await replay(bootstrap, _topics(prefix), state, prefix=prefix, end_offsets=ends,
                     only=only)  # fmt: skip
    state.chain.forget_seen()
    return state


def _worker(
    bootstrap: str,
    prefix: str,
    only: list[TopicPartition],
    ends: dict[TopicPartition, int],
    until: datetime | None,
    subject: str | None,
) -> LogState:
    return asyncio.run(replay_some(bootstrap, prefix, only, ends, until=until, subject=subject))


async def read_log_split(
    bootstrap: str,
    prefix: str,
    *,
    workers: int,
    until: datetime | None = None,
    end_offsets: Mapping[TopicPartition, int] | None = None,
    subject: str | None = None,
) -> LogState:
    """`read_log` by `workers` processes, each replaying a share of the partitions."""
    offsets = await cut(bootstrap, prefix, end_offsets)
    ends = {tp: end for tp, (_, end) in offsets.items()}
    shares = share({tp: end - start for tp, (start, end) in offsets.items()}, workers)
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(len(shares), mp_context=get_context("spawn")) as pool:
        states = await asyncio.gather(
            *(loop.run_in_executor(pool, _worker, bootstrap, prefix, only, ends, until, subject)
              for only in shares)
        )  # fmt: skip
    merged = LogState(keep_subject=subject, until=until)
    for state in states:
        merged.merge(state)
    return merged


async def replay_part(
    bootstrap: str, prefix: str, index: int, count: int, *, until: datetime | None = None
) -> LogState:
    """Completion `index` of `count`: the state of its partitions (`by_index`)."""
    offsets = await cut(bootstrap, prefix)
    only = by_index(list(offsets), index, count)
    return await replay_some(
        bootstrap, prefix, only, {tp: offsets[tp][1] for tp in only}, until=until
    )


def save_part(state: LogState, out: Path, index: int, count: int) -> Path:
    """Write a part's state where the merge will look for it (whole, or not at all)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"part-{index}-of-{count}.pickle"
    partial = path.with_suffix(".partial")
    partial.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(partial, path)
    return path


def merge_parts(parts: Path, count: int, until: datetime | None = None) -> LogState:
    """The merged state of every part `0..count-1` written to `parts` (all must be there)."""
    merged = LogState(until=until)
    with without_cyclic_gc():
        for index in range(count):
            merged.merge(_read_part(parts, index, count))
    return merged


def _read_part(parts: Path, index: int, count: int) -> LogState:
    path = parts / f"part-{index}-of-{count}.pickle"
    if not path.exists():
        raise FileNotFoundError(f"part {index} of {count} is not in {parts}")
    state: LogState = pickle.loads(path.read_bytes())  # noqa: S301 (our own pods' parts)
    return state
