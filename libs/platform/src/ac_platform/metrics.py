"""Prometheus metrics of a service (`GET /metrics`), for the dashboards and alerts of
docs/operations.md.

- `ac_http_request_duration_seconds{method,route,status}`: every request, by route template;
- `ac_consent_decision_seconds{endpoint}`: consent decisions (single, batch);
- `ac_consumer_lag{group}`, `ac_consumer_handled_total{group}`,
  `ac_dead_letters_total{group}`: each consumer group of the service;
- `ac_outbox_backlog{topic}`, `ac_outbox_published_total{topic}`: the outbox relay.

The workers' figures are read from their stats at scrape time (nothing on the hot path).
Each app has its own registry, so several apps can live in one process (tests).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import Response
from opentelemetry import trace
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FAST = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.request_seconds = Histogram(
            "ac_http_request_duration_seconds",
            "HTTP requests, by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=FAST,
        ).labels  # the bound `labels` factory
        self.decision_seconds = Histogram(
            "ac_consent_decision_seconds",
            "Time to answer a consent decision request",
            ["endpoint"],
            registry=self.registry,
            buckets=FAST,
        )
        self._workers: _Workers | None = None

    def watch(self, workers: Sequence[object]) -> None:
        """Expose the figures of the app's background workers (see `ac_platform.workers`);
        a second start of the same app replaces the first's."""
        if self._workers is not None:
            self.registry.unregister(self._workers)
        self._workers = _Workers(workers)
        self.registry.register(self._workers)

    def response(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class _Workers(Collector):
    def __init__(self, workers: Sequence[object]) -> None:
        self.workers = workers

    def collect(self) -> Iterator[Any]:
        from ac_platform.workers import ConsumerWorker, RelayWorker

        lag = GaugeMetricFamily(
            "ac_consumer_lag", "Records behind the end of the topics", labels=["group"]
        )
        handled = CounterMetricFamily("ac_consumer_handled", "Records applied", labels=["group"])
        dead = CounterMetricFamily(
            "ac_dead_letters", "Records sent to the dead-letter topic", labels=["group"]
        )
        backlog = GaugeMetricFamily(
            "ac_outbox_backlog", "Events stored, not yet published", labels=["topic"]
        )
        published = CounterMetricFamily("ac_outbox_published", "Events published", labels=["topic"])
        for worker in self.workers:
            if isinstance(worker, ConsumerWorker):
                runner = worker.runner
                lag.add_metric([runner.group_id], runner.stats.lag)
                handled.add_metric([runner.group_id], runner.stats.handled)
                dead.add_metric([runner.group_id], runner.stats.dead_lettered)
            elif isinstance(worker, RelayWorker):
                relay = worker.relay
                backlog.add_metric([relay.topic], relay.stats.backlog)
                published.add_metric([relay.topic], relay.stats.published)
        yield from (lag, handled, dead, backlog, published)


class MetricsMiddleware:
    """Times every HTTP request, labelled by its route template (not its path: no ids), and
    names the request's server span by that template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.request_seconds(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )
            span = trace.get_current_span()
            if route is not None and span.is_recording():  # the request's server span
                span.update_name(f"{scope['method']} {template}")
                span.set_attribute("http.route", template)
