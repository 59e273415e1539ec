"""The envelope every event travels in (architecture.md §4), its stored bytes and hash.

The stored form is canonical JSON (sorted keys, no spaces) of the envelope with
personal payload fields already encrypted. `hash` is the SHA-256 of that JSON
without the `hash` key, and `prev_hash` is the hash of the stream's previous
event: the chain survives the destruction of a data key, because it covers the
ciphertext, not the plaintext.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import orjson
import uuid6
from pydantic import BaseModel, ConfigDict

from ac_events.catalogue.base import Event

GENESIS_HASH = "0" * 64
"""`prev_hash` of a stream's first event."""

P = TypeVar("P", bound=Event)


def new_event_id() -> UUID:
    """A UUIDv7: time-ordered, so ids sort roughly by creation."""
    return UUID(bytes=uuid6.uuid7().bytes)


class Envelope(BaseModel, Generic[P]):
    """A decoded event: metadata plus the typed (decrypted) payload."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    type: str
    schema_version: int
    stream_id: str
    stream_version: int
    subject_id: str | None
    occurred_at: datetime
    producer: str
    correlation_id: str | None
    causation_id: str | None
    traceparent: str | None
    payload: P
    prev_hash: str
    hash: str
    position: int | None = None
    """The producing store's global position; not part of the hashed bytes."""


def canonical(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)


def record_hash(record: dict[str, Any]) -> str:
    """Hash of a stored record: SHA-256 over its canonical JSON without `hash`."""
    body = dict(record)
    body.pop("hash", None)
    return hashlib.sha256(canonical(body)).hexdigest()
