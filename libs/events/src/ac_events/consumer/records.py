"""A fetched record on its way through the runner, and the counts kept of them.

`decode` opens each Kafka record into an `Item`: an event to hand to its
handler, a record of a type the group does not handle (skipped, without
decrypting it), or a poison record set aside with the reason it goes to the
dead-letter topic (`ac_events.dead_letters`): no value, bytes that do not
open, or a type the catalogue does not know. A connection error while
opening (fetching the subject's key) is raised instead: it is nobody's poison.

`Tally` counts one transaction's records, `ConsumerStats` the runner's
committed totals (what metrics export).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field

from aiokafka import ConsumerRecord, TopicPartition

from ac_events.catalogue.base import EVENT_TYPES, Event, UnknownEventType
from ac_events.codec import Codec
from ac_events.consumer.handlers import is_connection_error
from ac_events.dead_letters import DeadLetterReason
from ac_events.envelope import Envelope
from ac_events.errors import describe_error


@dataclass
class ConsumerStats:
    """Counters for metrics; each counts records whose transaction committed."""

    handled: int = 0
    skipped: int = 0
    """Records of catalogue types the group has no handler for."""
    duplicates: int = 0
    """Republished events the group had applied already."""
    dead_lettered: int = 0
    batches: int = 0
    fallbacks: int = 0
    """Batches that failed and were retried one record per transaction."""
    retries: int = 0
    errors: int = 0
    """Infrastructure errors recovered from."""
    lag: int = 0
    """Records behind the high watermarks seen in the last fetch (cheap gauge)."""


@dataclass
class Item:
    record: ConsumerRecord[bytes, bytes]
    envelope: Envelope[Event] | None = None
    dead: tuple[DeadLetterReason, str] | None = None
    sent: bool = False
    """Already in the dead-letter topic (a failed batch is not to send it again)."""

    @property
    def tp(self) -> TopicPartition:
        return TopicPartition(self.record.topic, self.record.partition)


@dataclass
class Tally:
    handled: int = 0
    skipped: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    positions: dict[TopicPartition, int] = field(default_factory=dict)


def header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name and value is not None:
            return bytes(value).decode("utf-8", "replace")
    return None


async def decode(
    record: ConsumerRecord[bytes, bytes], codec: Codec, handled_types: Set[str]
) -> Item:
    """Open a record for the group that handles `handled_types` (see module doc)."""
    hinted = header(record, "ac-type")
    if hinted is not None and hinted in EVENT_TYPES and hinted not in handled_types:
        return Item(record)  # a type we do not handle: skipped without decrypting it
    if record.value is None:
        return Item(record, dead=(DeadLetterReason.UNDECODABLE, "no value"))
    position = header(record, "ac-position")
    try:
        envelope = await codec.open(
            record.value, int(position) if position and position.isdigit() else None
        )
    except UnknownEventType as exc:
        return Item(record, dead=(DeadLetterReason.UNKNOWN_TYPE, describe_error(exc)))
    except Exception as exc:
        if is_connection_error(exc):
            raise
        return Item(record, dead=(DeadLetterReason.UNDECODABLE, describe_error(exc)))
    return Item(record, envelope)
