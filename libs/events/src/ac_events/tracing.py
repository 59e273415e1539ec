"""OpenTelemetry context across Kafka and the event store (architecture.md §5).

One trace follows a request from the gateway through every service it
touches: the producer injects the current context into Kafka headers (W3C
`traceparent` / `tracestate`) and stores it in the envelope (`traceparent`);
the consumer starts its span as a child of the context it finds there. The
relay publishes long after the request ended, so it re-parents on the stored
traceparent string instead of the current context.

Only ids travel: no attribute set here holds personal data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Link, Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes

Headers = Sequence[tuple[str, bytes]]
"""Kafka record headers as aiokafka gives and takes them."""

_W3C = TraceContextTextMapPropagator()
_TRACE_HEADERS = frozenset({"traceparent", "tracestate", "baggage"})


def setup_tracing(
    service_name: str, exporter: SpanExporter | None = None, *, batch: bool = True
) -> TracerProvider:
    """Install the process's TracerProvider (once) and send spans to `exporter`.

    OpenTelemetry allows one global provider per process: the first call
    installs it, named for `service_name`; later calls (several services or
    tests in one process) reuse it and only add their exporter. `batch=False`
    exports each span as it ends (what tests with an in-memory exporter want).
    """
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        provider = current
    else:
        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
        trace.set_tracer_provider(provider)
    if exporter is not None:
        processor: SpanProcessor = (
            BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        )
        provider.add_span_processor(processor)
    return provider


def inject_headers(context: Context | None = None) -> list[tuple[str, bytes]]:
    """Kafka headers carrying the current (or the given) trace context."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=context)
    return [(k, v.encode()) for k, v in carrier.items()]


def extract_context(headers: Headers | Mapping[str, str] | None) -> Context:
    """The trace context carried by Kafka headers (an empty context when there is none)."""
    if headers is None:
        return Context()
    if isinstance(headers, Mapping):
        return propagate.extract(dict(headers), context=Context())
    carrier = {
        k: v.decode("ascii", "replace") for k, v in headers if k in _TRACE_HEADERS and v is not None
    }
    return propagate.extract(carrier, context=Context())


def has_trace(context: Context) -> bool:
    """Whether a context holds a valid remote or local span to parent on."""
    return trace.get_current_span(context).get_span_context().is_valid


def traceparent_now() -> str | None:
    """The current span as a W3C traceparent string (for the envelope), or None."""
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None) -> Context:
    """The context whose remote parent is a stored traceparent string (empty if absent)."""
    if not traceparent:
        return Context()
    return _W3C.extract({"traceparent": traceparent}, context=Context())


def link_to(context: Context, attributes: Attributes = None) -> Link | None:
    """A span link to the span of `context`, when it holds one (for batch spans)."""
    span_context = trace.get_current_span(context).get_span_context()
    return Link(span_context, attributes) if span_context.is_valid else None


@contextmanager
def span_from_traceparent(
    name: str,
    traceparent: str | None,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Attributes = None,
    tracer: trace.Tracer | None = None,
) -> Iterator[Span]:
    """Start a current span whose parent is a stored traceparent string.

    With no traceparent the span starts a new trace. This is how work done
    later (the relay publishing, a replay) joins the trace of the request
    that stored the event.
    """
    tracer = tracer or trace.get_tracer("ac_events")
    with tracer.start_as_current_span(
        name, context=context_from_traceparent(traceparent), kind=kind, attributes=attributes
    ) as span:
        yield span
