"""Dead letters: records a consumer group cannot handle, set aside with the reason.

A poison record must not stop a consumer group, nor be lost: it goes, with
its original key, value and headers, to the group's own dead-letter topic
(`<group>.dlq`, see `ac_events.kafka.dead_letter_topic`), with headers naming
why (`dlq-reason`), the error (`dlq-error`) and where it came from
(`dlq-topic`, `dlq-partition`, `dlq-offset`, `dlq-group`), so it can be
inspected and replayed once the cause is fixed.

The error text goes to Kafka and to logs, so it is built to hold no personal
data: validation errors are reduced to field locations and error kinds (never
the input values), and every text is cut short.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiokafka import AIOKafkaProducer, ConsumerRecord

REASON = "dlq-reason"
ERROR = "dlq-error"
GROUP = "dlq-group"
TOPIC = "dlq-topic"
PARTITION = "dlq-partition"
OFFSET = "dlq-offset"
DLQ_HEADERS = frozenset({REASON, ERROR, GROUP, TOPIC, PARTITION, OFFSET})


class DeadLetterReason(StrEnum):
    UNDECODABLE = "undecodable"
    """Not a stored event: bad bytes, a broken record, a payload that fails validation."""
    UNKNOWN_TYPE = "unknown_type"
    """A type this catalogue does not know (a newer producer, or a typo)."""
    HANDLER_ERROR = "handler_error"
    """The handler kept failing after its retries."""


def dead_letter_headers(
    record: ConsumerRecord[bytes, bytes],
    *,
    group_id: str,
    reason: DeadLetterReason,
    error: str,
) -> list[tuple[str, bytes]]:
    """The original headers (minus stale `dlq-*` ones) plus the reason and the origin."""
    original: Sequence[tuple[str, bytes]] = record.headers or ()
    headers = [(k, v) for k, v in original if k not in DLQ_HEADERS]
    headers += [
        (REASON, reason.value.encode()),
        (ERROR, error.encode()),
        (GROUP, group_id.encode()),
        (TOPIC, record.topic.encode()),
        (PARTITION, str(record.partition).encode()),
        (OFFSET, str(record.offset).encode()),
    ]
    return headers


async def send_dead_letters(
    producer: AIOKafkaProducer,
    topic: str,
    group_id: str,
    letters: Sequence[tuple[ConsumerRecord[bytes, bytes], DeadLetterReason, str]],
) -> None:
    """Publish records to the dead-letter topic and wait until Kafka has them all.

    The caller stores the records' offsets only after this returns: a crash in
    between sends a letter twice, never loses one.
    """
    futures = [
        await producer.send(
            topic,
            value=record.value,
            key=record.key,
            headers=dead_letter_headers(record, group_id=group_id, reason=reason, error=error),
        )
        for record, reason, error in letters
    ]
    for future in futures:
        await future
