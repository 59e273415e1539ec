"""One fault under load, from calm to reconciliation, and its `FAULT` line."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from tests.chaos import alerts
from tests.chaos.faults import Fault, Window, never_500, only_restarted
from tests.chaos.reconcile import reconcile
from tests.chaos.settle import settle
from tests.chaos.world import World

USERS = 4
"""Virtual users (each one student at a time) besides the client posting vacancies."""
CALM_S = 3.0
"""Load before the fault begins."""
AFTER_S = 3.0
"""Load after the fault has ended, before the users finish their students."""


@dataclass
class Result:
    fault: str
    lost: int
    duplicated: int
    orphaned: int
    recovered_s: float
    requests: int
    problems: list[str] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in self.extra.items())
        return (f"FAULT {self.fault} lost={self.lost} duplicated={self.duplicated} "
                f"orphaned={self.orphaned} recovered_s={self.recovered_s:.1f} "
                f"requests={self.requests} {extra}").rstrip()  # fmt: skip


def result_line(results: list[Result]) -> str:
    return (f"RESULT faults={len(results)} lost={sum(r.lost for r in results)} "
            f"duplicated={sum(r.duplicated for r in results)} "
            f"orphaned={sum(r.orphaned for r in results)}")  # fmt: skip


async def run_fault(world: World, fault: Fault, check_alerts: bool) -> Result:
    load, platform = world.load, world.platform
    load.phase = fault.name
    requests_before = sum(load.ledger.answers.values())
    stop_watching = asyncio.Event()
    watcher = asyncio.create_task(world.watch_readiness(stop_watching))
    load.start(USERS)
    await asyncio.sleep(CALM_S)
    before = platform.pids()
    injected = time.time()
    await fault.inject(world)
    if fault.hold_s:
        await asyncio.sleep(fault.hold_s)
    await fault.heal(world)
    healed = time.time()
    await asyncio.sleep(AFTER_S)
    await load.stop()
    stop_watching.set()
    await watcher
    left = fault.bound_s - (time.time() - healed)
    await settle(platform, max(left, 1.0))
    recovered_s = time.time() - healed
    window = Window(injected, healed, before, platform.pids())

    problems = only_restarted(world, window, fault)
    for check in (never_500, *fault.during):
        problems += check(world, window)
    problems += [f"unexpected answer: {u}" for u in load.ledger.unexpected]
    load.ledger.unexpected.clear()
    tally, _ = await reconcile(platform, load.ledger)
    report = await world.audit()
    findings = [f"audit {f['rule']}: {f['detail']} ({f['event_id'] or f['stream_id']})"
                for rule in report["rules"] for f in rule["findings"]
                if not f["detail"].startswith(tuple(world.planted_findings))]  # fmt: skip
    if check_alerts:
        work = world.platform.work / "alerts" / fault.name
        problems += alerts.fired(world.scraper, fault.alerts, injected, healed, work)
    new = [p for p in tally.problems() + findings if p not in world.seen_problems]
    world.seen_problems.update(new)
    problems += new
    return Result(
        fault.name,
        lost=sum(p.startswith("lost:") for p in new),
        duplicated=sum(p.startswith("duplicated:") for p in new),
        orphaned=sum(p.startswith("orphaned:") for p in new),
        recovered_s=recovered_s,
        requests=sum(load.ledger.answers.values()) - requests_before,
        problems=problems,
        extra={k: tally.counts[k] for k in ("unacknowledged", "republished", "resent")}
        | {"findings": len(findings)},
    )
