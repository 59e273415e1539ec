"""Audit benchmark: replay a seeded log of more than 1,000,000 events and run every rule.

Measures, in one run on one machine, over the same topics:
- the ceiling: a raw aiokafka consume of every record (bytes only, nothing decoded);
- the replay: `read_log` (decode each record, verify its stream's hash chain,
  fold consent facts into the catalogue's events, census personal fields);
- the audit: the replay plus every rule (`audit`), as `ac-audit check` runs it.

The history comes from the test suite's generator (tests/support/audit_seed.py):
people registering, consenting at home and abroad, withdrawing, applying,
a significant policy change, a transfer with objections, legal disclosures,
erasures. Set BENCH_PEOPLE to change its size (default 90,000: about 1.0M events).

Last line: RESULT replay_eps=<n> ceiling_eps=<n> ratio=<r> (replay_eps: the
whole audit, replay and rules).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ac_audit.audit import audit, read_log, topics
from ac_audit.replay import partitions
from bench.profiling import profiled
from tests.support.audit_seed import MemoryKeyring, seed_history
from tests.support.infra import unique_prefix


async def ceiling_consume(bootstrap: str, prefix: str) -> tuple[int, float]:
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
        began = time.perf_counter()
        while got < want:
            for records in (await consumer.getmany(timeout_ms=1000, max_records=50_000)).values():
                got += len(records)
                size += sum(len(r.value or b"") for r in records)
        return got, time.perf_counter() - began
    finally:
        await consumer.stop()


async def main() -> None:
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    people = int(os.environ.get("BENCH_PEOPLE", "90000"))
    prefix, keyring = unique_prefix(), MemoryKeyring()

    began = time.perf_counter()
    seeded = await seed_history(bootstrap, prefix, keyring, people=people, plant=True)
    print(f"seeded {seeded.events:,} events ({seeded.people:,} people) "
          f"in {time.perf_counter() - began:.0f} s")  # fmt: skip

    n, seconds = await ceiling_consume(bootstrap, prefix)
    ceiling = n / seconds
    print(
        f"ceiling  raw aiokafka consume      {n:>10,} events  {seconds:6.1f} s  {ceiling:>9,.0f}/s"
    )

    began = time.perf_counter()
    with profiled("audit", os.getpid()):
        state = await read_log(bootstrap, prefix)
        replayed = time.perf_counter() - began
        report = await audit(state, keyring)
    total = time.perf_counter() - began
    assert state.events == seeded.events == n, (state.events, seeded.events, n)
    found = report.findings
    print(f"replay   read_log (decode, chain)  {state.events:>10,} events  {replayed:6.1f} s  "
          f"{state.events / replayed:>9,.0f}/s")  # fmt: skip
    print(f"audit    replay + every rule       {state.events:>10,} events  {total:6.1f} s  "
          f"{state.events / total:>9,.0f}/s")  # fmt: skip
    print(f"findings {found} (planted: {len(seeded.expected)}); "
          f"{report.summary.disclosures:,} provisions checked")  # fmt: skip
    eps = state.events / total
    print(f"RESULT replay_eps={eps:.0f} ceiling_eps={ceiling:.0f} ratio={eps / ceiling:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
