"""One trace spans a request, its append, the relay's publish and the consumer's handling."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from ac_events.codec import Codec
from ac_events.consumer import ConsumerRunner
from ac_events.crypto import new_data_key
from ac_events.envelope import Envelope
from ac_events.kafka import ensure_topics, make_producer
from ac_events.keyring import CachedKeyring, PostgresKeyring
from ac_events.relay import OutboxRelay
from ac_events.store import NO_STREAM, EventStore
from ac_events.tracing import setup_tracing
from tests.support.db import apply_library_schema
from tests.support.sample_events import SampleNoted


async def test_request_append_relay_consumer_share_one_trace(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    spans = InMemorySpanExporter()
    setup_tracing("ac-events-tests", spans, batch=False)
    tracer = trace.get_tracer("tests.request")
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=6)
    async with pool.acquire() as conn:
        await apply_library_schema(conn)
    codec = Codec(CachedKeyring(PostgresKeyring(pool, new_data_key())))
    store = EventStore(pool, codec, "tests")
    topic = f"{topic_prefix}tests.events"
    await ensure_topics(kafka_bootstrap, [topic], partitions=2)

    handled: list[str] = []

    async def handle(conn: asyncpg.Connection, env: Envelope[Any]) -> None:
        handled.append(env.stream_id)

    producer = make_producer(kafka_bootstrap)
    await producer.start()
    relay = OutboxRelay(store, producer, topic, poll_interval_s=0.05)
    runner = ConsumerRunner(
        group_id=f"{topic_prefix}trace-probe",
        topics=[topic],
        bootstrap_servers=kafka_bootstrap,
        pool=pool,
        codec=codec,
        handlers={SampleNoted.type: handle},
        topic_prefix=topic_prefix,
    )
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(runner.run())]
    try:
        with tracer.start_as_current_span("POST /v1/notes", kind=SpanKind.SERVER) as request:
            await store.append("traced", NO_STREAM, [SampleNoted(seq=1, note="n")], subject_id="p")
            trace_id = request.get_span_context().trace_id
        for _ in range(300):
            if handled:
                break
            await asyncio.sleep(0.05)
        assert handled == ["traced"]
    finally:
        relay.stop()
        await runner.stop()
        await asyncio.gather(*tasks)
        await producer.stop()
        await pool.close()

    in_trace = [s for s in spans.get_finished_spans() if s.context.trace_id == trace_id]
    kinds = {s.kind for s in in_trace}
    assert {SpanKind.SERVER, SpanKind.PRODUCER, SpanKind.CONSUMER} <= kinds, [
        (s.name, s.kind) for s in in_trace
    ]
    publish = next(s for s in in_trace if s.kind == SpanKind.PRODUCER)
    consume = next(s for s in in_trace if s.kind == SpanKind.CONSUMER)
    assert (
        publish.parent is not None and publish.parent.span_id == request.get_span_context().span_id
    )
    assert consume.parent is not None and consume.parent.span_id == publish.context.span_id
