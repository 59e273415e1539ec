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


# [X] Performance (issue 20): the same hash, computed from bytes instead of a re-serialised
# record. In canonical JSON (sorted keys) `hash` follows `event_id`, and nothing before it
# can hold an unescaped `"`: so the stored bytes are the hashed bytes with one
# `,"hash":"<hex>"` inserted after the event id, and taking that out gives them back.


def canonical_with_hash(body: dict[str, Any]) -> tuple[bytes, str]:
    """`(canonical(body | {"hash": h}), h)` with `h = record_hash(body)`, serialising once.

    `body` must hold `event_id` (a string) and no `hash`."""
    hashed = canonical(body)
    digest = hashlib.sha256(hashed).hexdigest()
    anchor = b'"event_id":' + orjson.dumps(body["event_id"])
    at = hashed.index(anchor) + len(anchor)
    return hashed[:at] + b',"hash":"' + digest.encode() + b'"' + hashed[at:], digest


def stored_hash_matches(data: bytes, stated: str) -> bool:
    """Whether stored bytes are the canonical record whose hash is `stated`, without
    decoding them: the bytes less their first `,"hash":"<stated>"` hash to `stated`.

    True only for bytes that hold exactly what was hashed (the hash field's place aside);
    False says nothing more (bytes of another serialiser: `record_hash` decides)."""
    needle = b',"hash":"' + stated.encode() + b'"'
    at = data.find(needle)
    if at < 0:
        return False
    hasher = hashlib.sha256(memoryview(data)[:at])
    hasher.update(memoryview(data)[at + len(needle) :])
    return hasher.hexdigest() == stated
