"""The consumer: a service's handlers fed from Kafka, effects exactly once.

Publishing is at least once (architecture.md §5), so the consumer makes effects
exactly once by storing what it has processed in the SAME PostgreSQL
transaction as the handlers' effects. A batch of records is one
transaction. If it fails because of a handler, the batch is applied again
one record per transaction with bounded retries; a record whose handler
still fails, and a record that cannot be decoded or has a type the
catalogue does not know, goes to the group's dead-letter topic and the
group goes on. Records of catalogue types without a handler are
acknowledged and skipped. Infrastructure errors (PostgreSQL or Kafka
unreachable) never dead-letter anything: the runner backs off, rewinds to
the stored offsets and retries. Every handled record gets a span in the
trace of the request that caused its event.

Where each part is:

- `runner`: `ConsumerRunner`, its life cycle (start, run, stop), the run
  loop, the rebalance listener, seeking to the stored offsets, lag.
- `checkpoints`: the offsets and applied stream versions in PostgreSQL.
- `apply`: one batch in one transaction, and the fallback one record at a
  time with retries, then to the dead letters.
- `records`: opening a fetched record, or setting it aside as poison; the
  counters (`ConsumerStats`).
- `spans`: the CONSUMER span of each handled record or batch.
- `handlers`: the handler types, the table helpers `on` / `on_batch`, and
  which errors are a handler's and which the infrastructure's.
- The dead-letter topic's format (reasons, headers, publishing) is
  `ac_events.dead_letters`.

Import from here: `from ac_events.consumer import ConsumerRunner, on`.
"""

from __future__ import annotations

from ac_events.consumer.handlers import (
    BatchHandler,
    Handler,
    HandlerFailed,
    is_connection_error,
    on,
    on_batch,
)
from ac_events.consumer.records import ConsumerStats
from ac_events.consumer.runner import ConsumerRunner
from ac_events.consumer.spans import MAX_SPAN_LINKS

__all__ = [
    "MAX_SPAN_LINKS",
    "BatchHandler",
    "ConsumerRunner",
    "ConsumerStats",
    "Handler",
    "HandlerFailed",
    "is_connection_error",
    "on",
    "on_batch",
]
