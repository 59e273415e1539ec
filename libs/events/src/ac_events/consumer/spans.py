"""Spans of handled records: one trace follows an event from its request.

Every handled record gets a CONSUMER span whose parent is the trace context
in its Kafka headers, or else its envelope's stored traceparent (see
`ac_events.tracing`). A batch handler gets one span for its run of records,
linking to the trace of each (up to `MAX_SPAN_LINKS`).

A handler's failure is marked on its span by the exception's type only:
exception texts may hold personal data, so they are neither recorded nor
set as the status description. The failure is raised on as `HandlerFailed`,
except a connection error, which is raised as it is (see `handlers`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

import asyncpg
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode

from ac_events.consumer.handlers import BatchHandler, Handler, HandlerFailed, is_connection_error
from ac_events.consumer.records import Item
from ac_events.tracing import context_from_traceparent, extract_context, has_trace, link_to

tracer = trace.get_tracer("ac_events.consumer")

MAX_SPAN_LINKS = 128


def _parent(item: Item) -> Context:
    """The trace context a record carries: its headers', else its envelope's."""
    env = item.envelope
    assert env is not None
    context = extract_context(item.record.headers)
    if not has_trace(context):
        context = context_from_traceparent(env.traceparent)
    return context


def _attributes(item: Item, group_id: str) -> dict[str, str | int]:
    env = item.envelope
    assert env is not None
    return {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": item.record.topic,
        "messaging.destination.partition.id": str(item.record.partition),
        "messaging.kafka.offset": item.record.offset,
        "messaging.consumer.group.name": group_id,
        "messaging.message.id": str(env.event_id),
        "ac.event.type": env.type,
    }


async def _call(span: Span, event_type: str, call: Awaitable[None]) -> None:
    """Await a handler; its failure is marked on the span by type only and wrapped."""
    try:
        await call
    except Exception as exc:
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        span.set_attribute("error.type", type(exc).__qualname__)
        if is_connection_error(exc):
            raise
        raise HandlerFailed(event_type, exc) from exc


async def handle_one(
    conn: asyncpg.Connection, handler: Handler, item: Item, *, group_id: str
) -> None:
    """Call a handler on one record, in a span that continues the record's trace."""
    env = item.envelope
    assert env is not None
    with tracer.start_as_current_span(
        f"process {env.type}",
        context=_parent(item),
        kind=SpanKind.CONSUMER,
        attributes=_attributes(item, group_id),
        record_exception=False,  # exception texts may hold personal data
        set_status_on_exception=False,
    ) as span:
        await _call(span, env.type, handler(conn, env))


async def handle_run(
    conn: asyncpg.Connection, handler: BatchHandler, run: Sequence[Item], *, group_id: str
) -> None:
    """Call a batch handler on a run of records of one type, in one span linking their traces."""
    envelopes = [i.envelope for i in run if i.envelope is not None]
    links: list[Link] = []
    for item in run[:MAX_SPAN_LINKS]:
        link = link_to(_parent(item))
        if link is not None:
            links.append(link)
    with tracer.start_as_current_span(
        f"process {envelopes[0].type} batch",
        kind=SpanKind.CONSUMER,
        links=links,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.batch.message_count": len(envelopes),
            "messaging.consumer.group.name": group_id,
            "ac.event.type": envelopes[0].type,
        },
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        await _call(span, envelopes[0].type, handler(conn, envelopes))
