"""The faults, one at a time under load, and what must hold during each.

A fault has an `inject` (the fault begins), a `hold_s` (how long it lasts), a `heal` (it
ends; for a killed service the supervisor does that), the behaviour it must show while it
lasts (`during`: a list of what went wrong), the bound on the recovery after it, and the
alerts that must fire while it lasts.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tests.chaos.platform import NAMES
from tests.chaos.world import World

DB_SERVICES = tuple(s for s in NAMES if s not in ("gateway", "audit"))
KAFKA_SERVICES = tuple(s for s in NAMES if s != "gateway")


@dataclass
class Window:
    """What happened while a fault lasted."""

    injected: float
    healed: float
    pids_before: dict[str, int | None]
    pids_after: dict[str, int | None]


Check = Callable[[World, Window], list[str]]


@dataclass(frozen=True)
class Fault:
    name: str
    inject: Callable[[World], Awaitable[None]]
    heal: Callable[[World], Awaitable[None]]
    hold_s: float
    during: tuple[Check, ...] = ()
    alerts: tuple[str, ...] = ()
    bound_s: float = 90.0
    """Caught up (every outbox published, every group at the end of its topics, no message
    waiting, every service ready) within this many seconds of the fault's end."""
    restarts: tuple[str, ...] = ()
    """The services whose process the fault replaces (all others keep theirs)."""


# ---------------------------------------------------------------- checks


def only_restarted(world: World, w: Window, fault: Fault) -> list[str]:
    problems = []
    for service in NAMES:
        changed = w.pids_before[service] != w.pids_after[service]
        if changed != (service in fault.restarts):
            what = "was restarted" if changed else "was not restarted"
            problems.append(
                f"{service} {what} (pid {w.pids_before[service]} -> {w.pids_after[service]})"
            )
    return problems


def never_500(world: World, w: Window) -> list[str]:
    return [f"the gateway answered {status} to {what}" for t, what, status in
            world.load.ledger.timeline if status == 500 and w.injected <= t]  # fmt: skip


def services_say_unavailable(world: World, w: Window) -> list[str]:
    """A service that cannot reach its database answers 503 (try again), not 500: the
    gateway answers 502 only for a service's 500."""
    return [f"{what} answered 502 (a service answered 500)" for t, what, status in
            world.load.ledger.timeline if status == 502 and w.injected <= t]  # fmt: skip


def answered(kind: str, statuses: set[int], least: int = 1) -> Check:
    def check(world: World, w: Window) -> list[str]:
        seen = [s for t, k, s in world.load.ledger.timeline
                if k == kind and s in statuses and w.injected <= t <= w.healed + 1]  # fmt: skip
        if len(seen) < least:
            return [f"no {kind} answered {sorted(statuses)} during the fault"]
        return []

    check.__name__ = f"{kind} answered {sorted(statuses)}"
    return check


def nothing_adopted(kind: str) -> Check:
    """No write of `kind` answered with an error took effect (fail closed)."""

    def check(world: World, w: Window) -> list[str]:
        return [f"{kind} answered {op.statuses} took effect all the same" for op in
                world.load.ledger.ops if op.kind == kind and op.outcome == "adopted"
                and w.injected <= op.started <= w.healed]  # fmt: skip

    return check


def unready(services: tuple[str, ...]) -> Check:
    """Each service answered `/readyz` 503 at some time while the fault lasted."""

    def check(world: World, w: Window) -> list[str]:
        seen = {s for t, s, status in world.readiness
                if status == 503 and w.injected <= t <= w.healed + 2}  # fmt: skip
        return [f"{s} never said it was not ready" for s in services if s not in seen]

    return check


# ---------------------------------------------------------------- the faults


def kill(service: str) -> Fault:
    async def inject(world: World) -> None:
        world.platform.kill(service)

    async def heal(world: World) -> None:  # run.py restarts it; wait until it is back
        deadline = time.monotonic() + 120
        while world.platform.pid(service) is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)

    during: tuple[Check, ...] = (never_500,)
    if service == "consent":  # fail closed: nothing is shared without a decision
        during += (answered("apply", {503}), nothing_adopted("apply"))
    return Fault(f"kill-{service}", inject, heal, 0.0, during, ("ACServiceDown",),
                 restarts=(service,))  # fmt: skip


async def _broker_down(world: World) -> None:
    await asyncio.to_thread(world.infra.kafka_stop)


async def _broker_up(world: World) -> None:
    await asyncio.to_thread(world.infra.kafka_start)


async def _pg_restart(world: World) -> None:
    await asyncio.to_thread(world.infra.pg_restart)


async def _nothing(world: World) -> None:
    return None


BROKER_RESTART = Fault(
    "broker-restart", _broker_down, _broker_up, 10.0,
    (never_500, unready(KAFKA_SERVICES),
     answered("grant", set(range(200, 300))), answered("cv_submit", set(range(200, 300)))),
    ("ACKafkaUnreachable", "ACOutboxStuck"),
)  # fmt: skip
"""The broker stopped (SIGTERM), 10 s down, started: writes still commit (the outbox holds
them) and are published after."""

PG_RESTART = Fault("postgres-restart", _pg_restart, _nothing, 0.0,
                   (never_500, services_say_unavailable, unready(DB_SERVICES)), ())  # fmt: skip
"""A fast shutdown and a start: services say they are not ready, and recover without a
restart of their own."""

SHORT = (kill("consent"), BROKER_RESTART, PG_RESTART)


def full() -> tuple[Fault, ...]:
    return (*(kill(s) for s in NAMES), BROKER_RESTART, PG_RESTART)


def _signal_broker(sig: signal.Signals) -> Callable[[World], Awaitable[None]]:
    async def send(world: World) -> None:
        world.infra.kafka_signal(sig)

    return send
