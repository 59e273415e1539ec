"""What Prometheus would have seen: every service's `/metrics` scraped each second, as
series labelled `job="active-connector"` and `service`, with `up` (1 when the scrape
answered, 0 when not) as Prometheus records it for every target; and each consumer
group's `kafka_consumergroup_lag` per partition as Strimzi's Kafka Exporter reports it
(the partition's end offset less the group's committed offset, read from the broker).

The samples are kept in memory, so that the alert rules can be evaluated over them
afterwards by Prometheus's own rule engine (`promtool test rules`, see `alerts.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.parser import text_string_to_metric_families

from tests.chaos.platform import NAMES, ChaosPlatform

SCRAPE_EVERY_S = 1.0
SCRAPE_TIMEOUT_S = 8.0
"""A scrape computes the readiness checks (each bounded at a few seconds when a dependency
hangs); Prometheus's default timeout is 10 s."""
GROUPS = ("resumes", "matching", "consent", "notifications")
KEPT = ("up", "ac_ready", "ac_outbox_backlog", "ac_outbox_lag_seconds", "ac_consumer_lag",
        "ac_consumer_lag_seconds", "ac_dead_letters_total", "ac_notifications_oldest_due_seconds",
        "ac_http_request_duration_seconds_count", "ac_http_request_duration_seconds_bucket")  # fmt: skip
"""The series the alert rules read (the rest of each scrape is dropped)."""

Labels = tuple[tuple[str, str], ...]


@dataclass
class Scraper:
    platform: ChaosPlatform
    started: float = 0.0
    series: dict[tuple[str, Labels], dict[int, float]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    """(metric, labels) -> {second since `started`: value}"""
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.started = time.time()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def at(self, when: float) -> int:
        """The step (second) of a wall-clock time."""
        return int(when - self.started)

    async def _run(self) -> None:
        pending: set[asyncio.Task[None]] = set()
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.platform.infra.env["KAFKA_BOOTSTRAP_SERVERS"]
        )
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.platform.infra.env["KAFKA_BOOTSTRAP_SERVERS"]
        )
        await admin.start()
        await consumer.start()
        try:
            async with httpx.AsyncClient(timeout=SCRAPE_TIMEOUT_S) as client:
                while True:
                    step = int(time.time() - self.started)
                    for s in NAMES:  # each scrape in its own time (a slow one delays no other)
                        task = asyncio.create_task(self._scrape(client, s, step))
                        pending.add(task)
                        task.add_done_callback(pending.discard)
                    with contextlib.suppress(Exception):  # the broker may be the fault
                        await asyncio.wait_for(self._lag(admin, consumer, step), 0.8)
                    await asyncio.sleep(
                        max(0.0, self.started + step + SCRAPE_EVERY_S - time.time())
                    )
        finally:
            for task in pending:
                task.cancel()
            await admin.close()
            await consumer.stop()

    async def _lag(self, admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer, step: int) -> None:
        for group in GROUPS:
            committed = await admin.list_consumer_group_offsets(group)
            ends = await consumer.end_offsets(list(committed))
            for tp, meta in committed.items():
                labels = (("consumergroup", group), ("job", "kafka-exporter"),
                          ("partition", str(tp.partition)), ("topic", tp.topic))  # fmt: skip
                lag = max(0, ends[tp] - meta.offset) if meta.offset >= 0 else 0
                self.series[("kafka_consumergroup_lag", labels)][step] = float(lag)

    async def _scrape(self, client: httpx.AsyncClient, service: str, step: int) -> None:
        base: Labels = (("job", "active-connector"), ("service", service))
        try:
            r = await client.get(f"{self.platform.url(service)}/metrics")
            r.raise_for_status()
        except httpx.HTTPError:
            self.series[("up", base)][step] = 0.0
            return
        self.series[("up", base)][step] = 1.0
        for family in text_string_to_metric_families(r.text):
            for sample in family.samples:
                if sample.name not in KEPT:
                    continue
                labels = tuple(sorted({**dict(base), **sample.labels}.items()))
                self.series[(sample.name, labels)][step] = float(sample.value)
