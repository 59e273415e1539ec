"""Audit benchmark: replay a seeded log of more than 1,000,000 events and run every rule.

Measures, in one run on one machine, over the same topics:
- the ceiling: a raw aiokafka consume of every record (bytes only, nothing decoded);
- the replay: `read_log` (decode each record, verify its stream's hash chain,
  fold consent facts into the catalogue's events, census personal fields);
- the audit: the replay plus every rule (`audit`), as `ac-audit check` runs it;
  it must find every violation the generator planted, and nothing else;
- how it grows: the audit of the first quarter, half and all of each partition
  (about 250k, 500k and 1M events), and the replay split across 1 and 2
  processes (`ac_audit.parallel`).

Each figure is given by the clock and per CPU second of this process (on a
machine others share, the rate on a core of its own). The history comes from the
test suite's generator (tests/support/audit_seed.py): people registering,
consenting at home and abroad, withdrawing, applying, a significant policy
change, a transfer with objections, legal disclosures, erasures. Set BENCH_PEOPLE
to change its size (default 90,000: about 1.0M events), BENCH_SCALE=0 to skip the
curves.

Last line: RESULT replay_eps=<n> ceiling_eps=<n> ratio=<r> (replay_eps: the
whole audit, replay and rules; ratio per CPU second, wall_ratio by the clock).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer

from ac_audit.audit import audit, read_log, topics
from ac_audit.replay import partitions
from bench.charts import Chart, table
from bench.profiling import profiled
from tests.support.audit_seed import MemoryKeyring, key_of, seed_history
from tests.support.infra import unique_prefix

SCALE = os.environ.get("BENCH_SCALE", "1") != "0"
T = TypeVar("T")


async def timed(work: Callable[[], Awaitable[T]]) -> tuple[T, float, float]:
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = await work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


async def ceiling_consume(bootstrap: str, prefix: str) -> int:
    """Every record of the topics, raw: the fastest this client can read them."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    await consumer.start()
    try:
        tps = await partitions(bootstrap, topics(prefix))
        consumer.assign(tps)
        starts = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        for tp in tps:
            consumer.seek(tp, starts[tp])
        want, got, size = sum(ends[tp] - starts[tp] for tp in tps), 0, 0
        while got < want:
            for records in (await consumer.getmany(timeout_ms=1000, max_records=50_000)).values():
                got += len(records)
                size += sum(len(r.value or b"") for r in records)
        return got
    finally:
        await consumer.stop()


async def whole_audit(
    bootstrap: str, prefix: str, keyring: MemoryKeyring, **options: Any
) -> tuple[int, set[tuple[str, str]]]:
    """Replay and every rule: (events, the findings' keys)."""
    state = await read_log(bootstrap, prefix, **options)
    report = await audit(state, keyring)
    return state.events, {key_of(f) for r in report.rules for f in r.findings}


async def main() -> None:
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    people = int(os.environ.get("BENCH_PEOPLE", "90000"))
    prefix, keyring = unique_prefix(), MemoryKeyring()
    print(f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    began = time.perf_counter()
    seeded = await seed_history(bootstrap, prefix, keyring, people=people, plant=True)
    print(f"seeded {seeded.events:,} events ({seeded.people:,} people) "
          f"in {time.perf_counter() - began:.0f} s")  # fmt: skip

    n, raw_s, raw_cpu = await timed(lambda: ceiling_consume(bootstrap, prefix))
    with profiled("audit", os.getpid()):
        (events, found), wall, cpu = await timed(lambda: whole_audit(bootstrap, prefix, keyring))
    assert events == seeded.events == n, (events, seeded.events, n)
    assert found == seeded.expected, (
        f"planted {seeded.expected - found} not found; {found - seeded.expected} extra"
    )
    rows: list[list[Any]] = [
        ["ceiling: raw aiokafka consume", n, raw_s, n / raw_s, n / raw_cpu],
        ["audit: replay + every rule", n, wall, n / wall, n / cpu],
    ]
    curve: list[tuple[float, float]] = []
    split: list[tuple[float, float]] = []
    if SCALE:
        from ac_audit.parallel import cut  # (here: a "before" tree may not have it)

        offsets = await cut(bootstrap, prefix)
        for share in (0.25, 0.5):
            ends = {tp: start + int((end - start) * share) for tp, (start, end) in offsets.items()}
            (part, _), part_s, part_cpu = await timed(
                lambda ends=ends: whole_audit(bootstrap, prefix, keyring, end_offsets=ends)  # type: ignore[misc]
            )
            rows.append([f"audit of {share:.0%} of each partition", part, part_s, part / part_s,
                         part / part_cpu])  # fmt: skip
            curve.append((part, part_s))
        curve.append((n, wall))
        (two, found_two), two_s, _ = await timed(
            lambda: whole_audit(bootstrap, prefix, keyring, workers=2)
        )
        assert two == n and found_two == seeded.expected
        rows.append(["audit, replay in 2 processes", two, two_s, two / two_s, "-"])
        split = [(1, n / wall), (2, n / two_s)]
    print(table(["", "events", "seconds", "events/s", "per CPU s"], rows))
    print(f"findings {len(found)} (planted: {len(seeded.expected)}): every planted one, no other")
    if curve:
        Chart("audit-time-by-events", "Audit time (replay and every rule)", "events",
              "seconds").plot(curve, "1 process").save()  # fmt: skip
        Chart("audit-rate-by-processes", "Audit rate by replay processes (2 cores)",
              "processes", "events/s").plot(split, "audit").save()  # fmt: skip
        print(table(["events", "seconds", "µs per event"],
                    [[int(e), s, 1e6 * s / e] for e, s in curve]))  # fmt: skip
    eps, ceiling = n / wall, n / raw_s
    print(f"RESULT replay_eps={eps:.0f} ceiling_eps={ceiling:.0f} "
          f"ratio={(n / cpu) / (n / raw_cpu):.2f} wall_ratio={eps / ceiling:.2f}")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
