"""Prometheus metrics of a service (`GET /metrics`), for the dashboards and alerts of
docs/operations.md.

- `ac_http_request_duration_seconds{method,route,status}`: every request, by route template;
- `ac_consent_decision_seconds{endpoint}`: consent decisions (single, batch);
- `ac_consumer_lag{group}`, `ac_consumer_handled_total{group}`,
  `ac_dead_letters_total{group}`: each consumer group of the service;
- `ac_outbox_backlog{topic}`, `ac_outbox_published_total{topic}`,
  `ac_outbox_lag_seconds{topic}` (how long the oldest event not yet published has waited):
  the outbox relay;
- `ac_ready{check}`: 1 or 0 for each readiness check (`database`, `kafka`, `token_keys`,
  `workers`), as `/readyz` would answer it at the scrape;
- the gauges a worker declares (`Periodic(..., gauges=...)`), e.g. notifications'
  `ac_notifications_oldest_due_seconds`.

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
        self._readiness = _Readiness()
        self.registry.register(self._readiness)

    def readiness(self, checks: dict[str, str]) -> None:
        """The readiness checks as of this scrape (`ac_ready{check}`)."""
        self._readiness.checks = checks

    def watch(self, workers: Sequence[object]) -> None:
        """Expose the figures of the app's background workers (see `ac_platform.workers`);
        a second start of the same app replaces the first's."""
        if self._workers is not None:
            self.registry.unregister(self._workers)
        self._workers = _Workers(workers)
        self.registry.register(self._workers)

    def response(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class _Readiness(Collector):
    def __init__(self) -> None:
        self.checks: dict[str, str] = {}

    def collect(self) -> Iterator[Any]:
        ready = GaugeMetricFamily("ac_ready", "1 if the readiness check passes", labels=["check"])
        for check, state in sorted(self.checks.items()):
            ready.add_metric([check], 1.0 if state == "ok" else 0.0)
        yield ready


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
        waited = GaugeMetricFamily(
            "ac_outbox_lag_seconds",
            "How long the oldest unpublished event has waited",
            labels=["topic"],
        )
        declared: dict[str, GaugeMetricFamily] = {}
        now = time.time()
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
                oldest = relay.stats.oldest_unpublished_at
                waited.add_metric([relay.topic], max(0.0, now - oldest) if oldest else 0.0)
            gauges = getattr(worker, "gauges", None)
            for name, (help_, value) in (gauges() if callable(gauges) else {}).items():
                declared.setdefault(name, GaugeMetricFamily(name, help_)).add_metric([], value)
        yield from (lag, handled, dead, backlog, published, waited, *declared.values())


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
