"""The faults, one at a time under load, and what must hold during each.

A fault has an `inject` (the fault begins), a `hold_s` (how long it lasts), a `heal` (it
ends; for a killed service the supervisor does that), the behaviour it must show while it
lasts (`during`: a list of what went wrong), the bound on the recovery after it, and the
alerts that must fire while it lasts.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from tests.chaos.platform import NAMES
from tests.chaos.world import World
from tests.support.wait import eventually

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
        # Back means ready again: until then its callers keep failing closed (on a loaded
        # machine a window that ended at the new pid held no apply at all).
        async with httpx.AsyncClient() as client:

            async def ready() -> bool:
                pid = world.platform.pid(service)
                return (
                    pid is not None and (await world.platform.readiness(client)).get(service) == 200
                )

            await eventually(ready, timeout_s=120)

    during: tuple[Check, ...] = (never_500,)
    alerts: tuple[str, ...] = ("ACServiceDown",)
    if service == "consent":  # fail closed: nothing is shared without a decision
        during += (nothing_adopted("apply"),)  # an apply answered 201 may be `blocked`
        alerts += ("ACGatewayErrors",)
    return Fault(f"kill-{service}", inject, heal, 0.0, during, alerts, restarts=(service,))


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


def _pause(
    signal_to: Callable[[World, signal.Signals], None],
) -> tuple[Callable[[World], Awaitable[None]], Callable[[World], Awaitable[None]]]:
    async def stop(world: World) -> None:
        signal_to(world, signal.SIGSTOP)

    async def cont(world: World) -> None:
        signal_to(world, signal.SIGCONT)

    return stop, cont


BROKER_PAUSE = Fault(
    "broker-pause", *_pause(lambda w, sig: w.infra.kafka_signal(sig)), 10.0,
    (never_500, unready(KAFKA_SERVICES), answered("grant", set(range(200, 300)))),
    ("ACKafkaUnreachable", "ACOutboxStuck"),
)  # fmt: skip
"""The broker stopped in its tracks (SIGSTOP) for 10 s: every connection hangs."""

PG_PAUSE = Fault(
    "postgres-pause", *_pause(lambda w, sig: w.infra.pg_signal(sig)), 10.0,
    (never_500, unready(DB_SERVICES)), ("ACDatabaseUnreachable",),
)  # fmt: skip
"""Every PostgreSQL process stopped (SIGSTOP) for 10 s: queries hang, then go on."""


async def _smtp_down(world: World) -> None:
    await asyncio.to_thread(world.platform.stop_mail)


async def _smtp_up(world: World) -> None:
    await asyncio.to_thread(world.platform.start_mail)


SMTP_DOWN = Fault("smtp-down", _smtp_down, _smtp_up, 60.0, (never_500,),
                  ("ACNotificationsDelayed",), bound_s=120.0)  # fmt: skip
"""The mail relay away for a minute: messages wait (retried with back-off) and go after."""


def slow_answers(kind: str, at_least_s: float) -> Check:
    def check(world: World, w: Window) -> list[str]:
        slow = [op for op in world.load.ledger.ops if op.kind == kind and op.outcome == "ok"
                and w.injected + 1 <= op.started <= w.healed - 3
                and op.ended - op.started >= at_least_s]  # fmt: skip
        return [] if slow else [f"no {kind} answered, slowly, while consent was slow"]

    return check


def consent_was_slow_for(caller: str) -> Check:
    def check(world: World, w: Window) -> list[str]:
        held = world.platform.held(caller)
        return [] if held else [f"{caller} asked consent nothing while it was slow"]

    return check


async def _consent_slow(world: World) -> None:
    world.platform.slow_consent(True)


async def _consent_fast(world: World) -> None:
    world.platform.slow_consent(False)


SLOW_CONSENT = Fault(
    "slow-consent", _consent_slow, _consent_fast, 15.0,
    (never_500, slow_answers("apply", 2.0), consent_was_slow_for("matching"),
     consent_was_slow_for("notifications")), ("ACRequestsSlow",),
)  # fmt: skip
"""Every decision matching and notifications ask for reaches consent 2 s late (each is held
back by its own proxy, which counts what it held): applications still succeed (slowly),
messages that need a decision go out late; nothing times out (peers wait 10 s); the
reconciliation after it finds every message sent once."""


async def _fill_disk(world: World) -> None:
    await asyncio.to_thread(world.infra.fill_kafka_disk)
    # Kafka halts when its only log directory fails (the next write fails for want of space).
    await asyncio.to_thread(world.infra.kafka_wait_exit, 120)


async def _free_disk(world: World) -> None:
    world.infra.free_kafka_disk()
    await asyncio.to_thread(world.infra.kafka_start)


KAFKA_DISK_FULL = Fault(
    "kafka-disk-full", _fill_disk, _free_disk, 5.0,
    (never_500, unready(KAFKA_SERVICES)), ("ACKafkaUnreachable", "ACOutboxStuck"),
)  # fmt: skip
"""Kafka's log directory (a small loop-mounted file system) filled to the last byte: the
broker stops; writes still commit (the outbox holds them); space freed and the broker
started again, they are published."""


def _signal_service(service: str) -> Callable[[World, signal.Signals], None]:
    def send(world: World, sig: signal.Signals) -> None:
        pid = world.platform.pid(service)
        assert pid is not None
        os.kill(pid, sig)

    return send


HANG_NOTIFICATIONS = Fault(
    "hang-notifications", *_pause(_signal_service("notifications")), 30.0, (never_500,),
    ("ACServiceDown", "ACConsumerLag"),
)  # fmt: skip
"""Notifications stopped in its tracks (SIGSTOP) for 30 s: the others publish on, its
consumer group falls behind (as the broker sees it), and catches up when it goes on."""


async def _poison(world: World) -> None:
    await world.poison()


def dead_lettered(world: World, w: Window) -> list[str]:
    missing = [g for g, n in world.dead_letters.items() if n < 1]
    return [f"consumer group {g} did not dead-letter the poison record" for g in missing]


POISON = Fault("poison-record", _poison, _nothing, 0.0, (never_500, dead_lettered),
               ("ACDeadLetters",))  # fmt: skip
"""A record no consumer can read (not JSON) in identity's topic: each group that reads it
sends it to its dead-letter topic with the reason, and goes on."""

SHORT = (kill("consent"), BROKER_RESTART, PG_RESTART)


def full() -> tuple[Fault, ...]:
    return (*(kill(s) for s in NAMES), BROKER_RESTART, BROKER_PAUSE, PG_RESTART, PG_PAUSE,
            SMTP_DOWN, SLOW_CONSENT, KAFKA_DISK_FULL, HANG_NOTIFICATIONS, POISON)  # fmt: skip
