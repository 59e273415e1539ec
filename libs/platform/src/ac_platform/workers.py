"""A service's background work, as start/stop hooks of `create_service_app`.

- `outbox_relay(producer)`: publishes the service's event store to its topic;
- `consumer(group, sources, handlers)`: runs a consumer group over other
  services' topics (creating the topics if they do not exist yet, so a service
  can start before the producer of what it consumes);
- `periodic(name, work, every_s)`: a loop of the service's own (e.g. identity's eraser).

Both run as tasks for the life of the app; a task that dies is logged and
makes `/readyz` fail (its `workers` check), so an orchestrator restarts the pod.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from ac_events.codec import Codec
from ac_events.consumer import ConsumerRunner, Handler
from ac_events.kafka import ensure_topics, topic_for
from ac_events.relay import OutboxRelay
from ac_events.store import EventStore
from ac_platform.service import Hook, Resources

log = logging.getLogger(__name__)

STORE = "store"
"""`Resources.extras` key of the service's `EventStore`."""
TASKS = "tasks"


def _track(res: Resources, name: str, task: asyncio.Task[None]) -> None:
    tasks: dict[str, asyncio.Task[None]] = res.extras.setdefault(TASKS, {})  # type: ignore[assignment]
    tasks[name] = task

    def report(t: asyncio.Task[None]) -> None:
        if not t.cancelled() and t.exception() is not None:
            log.error("%s stopped: %s", name, type(t.exception()).__name__)

    task.add_done_callback(report)


def event_store(producer: str, codec: Codec) -> Hook:
    """Opens the service's `EventStore` on its pool (`res.extras["store"]`)."""

    async def start(res: Resources) -> None:
        res.extras[STORE] = EventStore(res.db, codec, producer)

    return start


def outbox_relay(producer: str) -> tuple[Hook, Hook]:
    async def start(res: Resources) -> None:
        store: EventStore = res.extras[STORE]  # type: ignore[assignment]
        assert res.producer is not None
        topic = topic_for(producer, res.settings.topic_prefix)
        await ensure_topics(res.settings.kafka_bootstrap_servers or "", [topic])
        relay = OutboxRelay(store, res.producer, topic)
        res.extras["relay"] = relay
        _track(res, "relay", asyncio.create_task(relay.run(), name=f"{producer}-relay"))

    async def stop(res: Resources) -> None:
        relay = res.extras.get("relay")
        if isinstance(relay, OutboxRelay):
            relay.stop()
        await _cancel(res, "relay")

    return start, stop


def consumer(
    group: str, sources: Sequence[str], handlers: Mapping[str, Handler], codec: Codec
) -> tuple[Hook, Hook]:
    async def start(res: Resources) -> None:
        prefix = res.settings.topic_prefix
        bootstrap = res.settings.kafka_bootstrap_servers or ""
        topics = [topic_for(s, prefix) for s in sources]
        await ensure_topics(bootstrap, topics)
        runner = ConsumerRunner(
            group_id=f"{prefix}{group}",
            topics=topics,
            bootstrap_servers=bootstrap,
            pool=res.db,
            codec=codec,
            handlers=handlers,
            topic_prefix="",
            producer=res.producer,
        )
        res.extras[f"consumer:{group}"] = runner
        _track(res, f"consumer:{group}", asyncio.create_task(runner.run(), name=group))

    async def stop(res: Resources) -> None:
        runner = res.extras.get(f"consumer:{group}")
        if isinstance(runner, ConsumerRunner):
            await runner.stop()
        await _cancel(res, f"consumer:{group}")

    return start, stop


async def _cancel(res: Resources, name: str, grace_s: float = 5) -> None:
    """Lets the task finish on its own for `grace_s`, then cancels it."""
    tasks: dict[str, asyncio.Task[None]] = res.extras.get(TASKS, {})  # type: ignore[assignment]
    task = tasks.pop(name, None)
    if task is None:
        return
    try:
        await asyncio.wait_for(asyncio.shield(task), grace_s)
    except (TimeoutError, Exception):
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def periodic(
    name: str, work: Callable[[Resources], Awaitable[object]], every_s: float
) -> tuple[Hook, Hook]:
    """Runs `work` every `every_s` seconds; an error is logged (by type) and retried."""

    async def loop(res: Resources) -> None:
        while True:
            try:
                await work(res)
            except Exception as exc:  # keep going: the next round retries
                log.warning("%s failed: %s", name, type(exc).__name__)
            await asyncio.sleep(every_s)

    async def start(res: Resources) -> None:
        _track(res, name, asyncio.create_task(loop(res), name=name))

    async def stop(res: Resources) -> None:
        await _cancel(res, name, grace_s=0)

    return start, stop
