"""A service's background work, declared as a list of `Worker`s its wiring returns.

- `outbox_relay(res, store)`: publishes the service's event store to its topic;
- `consumer(res, group, sources, handlers, codec)`: a consumer group over other
  services' topics (creating them if they do not exist yet, so a service can
  start before the producer of what it consumes);
- `Periodic(name, work, every_s)`: a loop of the service's own (identity's
  eraser, notifications' sender).

The skeleton runs each as a task for the life of the app. A worker that stops
is logged and makes `/readyz` fail (its `workers` check), so an orchestrator
restarts the pod; a consumer is ready once the group has given it partitions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from ac_events.codec import Codec
from ac_events.consumer import ConsumerRunner, Handler
from ac_events.kafka import ensure_topics, topic_for
from ac_events.relay import OutboxRelay
from ac_events.store import EventStore
from ac_platform.resources import Resources

log = logging.getLogger(__name__)


class Worker(Protocol):
    name: str

    async def run(self) -> None:
        """Works until `stop()` (or cancellation)."""

    async def stop(self) -> None:
        """Asks `run` to finish what it holds and return."""

    def ready(self) -> bool:
        """It can do its work (connected, assigned)."""


class RelayWorker:
    def __init__(self, relay: OutboxRelay) -> None:
        self.relay = relay
        self.name = f"relay:{relay.topic}"

    async def run(self) -> None:
        await self.relay.run()

    async def stop(self) -> None:
        self.relay.stop()

    def ready(self) -> bool:
        return True


class ConsumerWorker:
    def __init__(self, runner: ConsumerRunner) -> None:
        self.runner = runner
        self.name = f"consumer:{runner.group_id}"

    async def run(self) -> None:
        await self.runner.run()

    async def stop(self) -> None:
        await self.runner.stop()

    def ready(self) -> bool:
        return bool(self.runner.assignment())


class Periodic:
    """Runs `work` every `every_s` seconds; an error is logged (by type) and retried."""

    def __init__(
        self,
        name: str,
        work: Callable[[], Awaitable[object]],
        every_s: float,
        gauges: Callable[[], dict[str, tuple[str, float]]] | None = None,
    ) -> None:
        self.name = name
        self.work = work
        self.every_s = every_s
        self.gauges = gauges
        """Figures of the work for `/metrics`: name -> (help, value), read at each scrape."""
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.work()
            except Exception as exc:  # keep going: the next round retries
                log.warning("%s failed: %s", self.name, type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.every_s)

    async def stop(self) -> None:
        self._stopping.set()

    def ready(self) -> bool:
        return True


async def outbox_relay(res: Resources, store: EventStore) -> RelayWorker:
    """The relay of the service's own store to `<service>.events`."""
    topic = topic_for(store.producer, res.settings.topic_prefix)
    await ensure_topics(res.kafka_servers, [topic])
    return RelayWorker(OutboxRelay(store, res.kafka_producer, topic))


async def consumer(
    res: Resources,
    group: str,
    sources: Sequence[str],
    handlers: Mapping[str, Handler],
    codec: Codec,
) -> ConsumerWorker:
    """A consumer group of the service over its sources' topics, effects in its database."""
    prefix = res.settings.topic_prefix
    topics = [topic_for(s, prefix) for s in sources]
    await ensure_topics(res.kafka_servers, topics)
    runner = ConsumerRunner(
        group_id=f"{prefix}{group}",
        topics=topics,
        bootstrap_servers=res.kafka_servers,
        pool=res.db,
        codec=codec,
        handlers=handlers,
        topic_prefix="",
        producer=res.kafka_producer,
    )
    return ConsumerWorker(runner)


class Running:
    """The workers of an app, each as a task, and what became of them."""

    def __init__(self, workers: Sequence[Worker]) -> None:
        self.workers = list(workers)
        self.tasks: dict[str, asyncio.Task[None]] = {}

    def start(self) -> None:
        for worker in self.workers:
            task = asyncio.create_task(worker.run(), name=worker.name)
            task.add_done_callback(self._report)
            self.tasks[worker.name] = task

    @staticmethod
    def _report(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("%s stopped: %s", task.get_name(), type(task.exception()).__name__)

    def problems(self) -> list[str]:
        """What keeps the workers from being ready: stopped ones, and ones not ready yet."""
        stopped = [name for name, task in self.tasks.items() if task.done()]
        waiting = [w.name for w in self.workers if w.name not in stopped and not w.ready()]
        return [f"stopped: {n}" for n in sorted(stopped)] + [f"starting: {n}" for n in waiting]

    async def stop(self, grace_s: float = 5) -> None:
        """Asks every worker to stop, lets each finish for `grace_s`, then cancels it."""
        for worker in reversed(self.workers):
            task = self.tasks.pop(worker.name, None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(worker.stop(), grace_s)
            if task is None:
                continue
            try:
                await asyncio.wait_for(asyncio.shield(task), grace_s)
            except (TimeoutError, Exception):
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
