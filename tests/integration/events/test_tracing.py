"""One trace follows an event: the producer's span and the consumer's share a trace
id, through real Kafka headers or through the traceparent stored in the envelope."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import ClassVar

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanContext, SpanKind

from ac_events.catalogue.base import EVENT_TYPES, Event, Personal, register
from ac_events.codec import Codec, SealedEvent
from ac_events.consumer import ConsumerRunner, on, on_batch
from ac_events.crypto import new_data_key
from ac_events.envelope import GENESIS_HASH, Envelope
from ac_events.kafka import ensure_topics, make_producer
from ac_events.keyring import CachedKeyring, PostgresKeyring
from ac_events.tracing import (
    extract_context,
    inject_headers,
    setup_tracing,
    span_from_traceparent,
    traceparent_now,
)
from tests.support.db import apply_library_schema


class TracingProbeNoted(Event):
    type: ClassVar[str] = "TracingProbeNoted"
    producer: ClassVar[str] = "tests"
    seq: int
    note: Personal[str]


class TracingProbeCounted(Event):
    type: ClassVar[str] = "TracingProbeCounted"
    producer: ClassVar[str] = "tests"
    seq: int


for _cls in (TracingProbeNoted, TracingProbeCounted):
    if _cls.type not in EVENT_TYPES:
        register(_cls)

tracer = trace.get_tracer("tests")


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    setup_tracing("ac-events-tests", spans, batch=False)
    yield spans
    spans.shutdown()


def _ids(span: ReadableSpan) -> tuple[int, int]:
    return span.context.trace_id, span.context.span_id


def test_headers_carry_the_current_span_and_a_stored_traceparent_resumes_it(
    exporter: InMemorySpanExporter,
) -> None:
    assert traceparent_now() is None  # no span, nothing to store
    with tracer.start_as_current_span("POST /consents", kind=SpanKind.SERVER) as request:
        headers = inject_headers()
        stored = traceparent_now()
    ctx = request.get_span_context()
    assert stored == f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"
    assert dict(headers)["traceparent"].decode() == stored

    remote = trace.get_current_span(extract_context(headers)).get_span_context()
    assert (remote.trace_id, remote.span_id, remote.is_remote) == (ctx.trace_id, ctx.span_id, True)
    assert not trace.get_current_span(extract_context([])).get_span_context().is_valid
    assert not trace.get_current_span(extract_context(None)).get_span_context().is_valid

    # Later, elsewhere (the relay): a span parented on the stored string joins the trace.
    with span_from_traceparent("publish", stored, kind=SpanKind.PRODUCER) as later:
        assert traceparent_now() != stored
    finished = {
        s.name: s for s in exporter.get_finished_spans() if s.context.trace_id == ctx.trace_id
    }
    publish = finished["publish"]
    assert publish.parent is not None and publish.parent.span_id == ctx.span_id
    assert later.get_span_context().trace_id == ctx.trace_id
    with span_from_traceparent("fresh", None) as fresh:
        assert fresh.get_span_context().trace_id != ctx.trace_id


async def _seal(codec: Codec, stream_id: str, event: Event, traceparent: str | None) -> SealedEvent:
    return await codec.seal(
        event,
        stream_id=stream_id,
        stream_version=1,
        subject_id=f"p-{stream_id}",
        producer="tests",
        prev_hash=GENESIS_HASH,
        traceparent=traceparent,
    )


async def _send(
    producer: AIOKafkaProducer, topic: str, sealed: SealedEvent, trace_headers: bool
) -> None:
    headers = [("ac-event-id", str(sealed.event_id).encode()), ("ac-type", sealed.type.encode())]
    if trace_headers:
        headers += inject_headers()
    await producer.send_and_wait(topic, sealed.data, key=sealed.stream_id.encode(), headers=headers)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=5)
    async with pool.acquire() as conn:
        await apply_library_schema(conn)
    yield pool
    await pool.close()


async def test_the_consumer_span_continues_the_trace_of_the_event(
    exporter: InMemorySpanExporter, pool: asyncpg.Pool, kafka_bootstrap: str, topic_prefix: str
) -> None:
    codec = Codec(CachedKeyring(PostgresKeyring(pool, new_data_key())))
    topic = f"{topic_prefix}tests.events"
    await ensure_topics(kafka_bootstrap, [topic], partitions=1)
    producer = make_producer(kafka_bootstrap)
    await producer.start()
    try:
        # 1: a request stores the event and publishes it with trace headers.
        with tracer.start_as_current_span("POST /notes", kind=SpanKind.SERVER) as request:
            first = await _seal(
                codec, "a", TracingProbeNoted(seq=1, note="Jane Roe"), traceparent_now()
            )
            with tracer.start_as_current_span("publish", kind=SpanKind.PRODUCER) as publish:
                await _send(producer, topic, first, trace_headers=True)
        # 2: no trace headers (published outside any span): the envelope's traceparent counts.
        with tracer.start_as_current_span("POST /other") as other:
            second = await _seal(codec, "b", TracingProbeNoted(seq=2, note="x"), traceparent_now())
        await _send(producer, topic, second, trace_headers=False)
        # 3, 4: a batch-handled type: one span for the run, linked to each event's trace.
        producers: list[SpanContext] = []
        for seq in (3, 4):
            with tracer.start_as_current_span(f"publish {seq}", kind=SpanKind.PRODUCER) as p:
                producers.append(p.get_span_context())
                sealed = await _seal(codec, f"c{seq}", TracingProbeCounted(seq=seq), None)
                await _send(producer, topic, sealed, trace_headers=True)
    finally:
        await producer.stop()

    current: dict[int, SpanContext] = {}

    async def note(conn: asyncpg.Connection, env: Envelope[TracingProbeNoted]) -> None:
        current[env.payload.seq] = trace.get_current_span().get_span_context()

    async def count(
        conn: asyncpg.Connection, envs: Sequence[Envelope[TracingProbeCounted]]
    ) -> None:
        for env in envs:
            current[env.payload.seq] = trace.get_current_span().get_span_context()

    runner = ConsumerRunner(
        group_id=f"{topic_prefix}g",
        topics=[topic],
        bootstrap_servers=kafka_bootstrap,
        pool=pool,
        codec=codec,
        handlers=dict([on(TracingProbeNoted, note)]),
        batch_handlers=dict([on_batch(TracingProbeCounted, count)]),
        topic_prefix=topic_prefix,
        poll_timeout_ms=200,
    )
    task = asyncio.create_task(runner.run())
    deadline = time.monotonic() + 30
    while len(current) < 4 or runner.stats.handled < 4:
        assert time.monotonic() < deadline, "the runner did not handle the events in time"
        await asyncio.sleep(0.05)
    await runner.stop()
    await task

    spans = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.CONSUMER]
    by_span_id = {s.context.span_id: s for s in spans}

    one = by_span_id[current[1].span_id]  # the handler ran inside the consumer span
    assert one.name == "process TracingProbeNoted"
    assert one.context.trace_id == request.get_span_context().trace_id
    assert one.parent is not None and one.parent.span_id == publish.get_span_context().span_id
    assert one.attributes is not None
    assert one.attributes["messaging.destination.name"] == topic
    assert one.attributes["messaging.message.id"] == str(first.event_id)
    assert one.attributes["messaging.consumer.group.name"] == f"{topic_prefix}g"

    two = by_span_id[current[2].span_id]
    assert _ids(two)[0] == other.get_span_context().trace_id
    assert two.parent is not None and two.parent.span_id == other.get_span_context().span_id

    batch = by_span_id[current[3].span_id]
    assert current[4].span_id == current[3].span_id
    assert batch.attributes is not None and batch.attributes["messaging.batch.message_count"] == 2
    linked = {(link.context.trace_id, link.context.span_id) for link in batch.links}
    assert linked == {(p.trace_id, p.span_id) for p in producers}

    for span in (one, two, batch):  # ids only: no personal value in a span
        assert span.attributes is not None
        assert all("Jane" not in str(v) for v in span.attributes.values())
