"""Turning events into stored bytes and back.

`seal` encrypts the personal fields of a payload under the subject's key and
produces the canonical, hashed record that is stored, published and replayed.
`open` upcasts a stored record to the current schema, decrypts what the
keyring allows (`ERASED` / `WITHHELD` otherwise) and validates it into a
typed `Envelope`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from ac_events.catalogue.base import EVENT_TYPES, Event, Redacted, UnknownEventType, upcast
from ac_events.crypto import b64d, b64e, decrypt, encrypt
from ac_events.envelope import Envelope, canonical_with_hash, new_event_id
from ac_events.errors import describe_error
from ac_events.keyring import KeyDestroyed, Keyring

ENC = "$enc"

_ENVELOPE = Envelope[Event]
"""The parametrised model, built once (subscripting a generic model is a lookup each time)."""


class UndecodableEvent(ValueError):
    """Bytes that are not a stored event of this catalogue."""


@dataclass(frozen=True, slots=True)
class SealedEvent:
    """An event ready to store and publish: its canonical bytes and what indexes them."""

    event_id: UUID
    type: str
    stream_id: str
    stream_version: int
    subject_id: str | None
    occurred_at: datetime
    hash: str
    data: bytes
    traceparent: str | None = None


def _aad(subject_id: str, field: str) -> bytes:
    return f"{subject_id}\x1f{field}".encode()


class Codec:
    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    async def encrypt_payload(self, event: Event, subject_id: str | None) -> dict[str, Any]:
        """The payload as stored: JSON-ready, personal fields encrypted under the subject's key."""
        payload = event.model_dump(mode="json")
        personal = type(event).personal_fields()
        if not personal:
            return payload
        if subject_id is None:
            raise ValueError(f"{event.type} has personal fields but no subject_id")
        try:
            key = await self.keyring.ensure(subject_id)
        except KeyDestroyed:
            if any(payload[name] is not None for name in personal):
                raise
            return payload  # erased, and nothing personal to keep (a recipient told of it)
        for name in personal:
            if isinstance(getattr(event, name), Redacted):
                raise ValueError(f"{event.type}.{name} is redacted: nothing to store")
            plain = orjson.dumps(payload[name])
            payload[name] = {ENC: b64e(encrypt(key, plain, _aad(subject_id, name)))}
        return payload

    @staticmethod
    def seal_record(
        event: Event,
        payload: dict[str, Any],
        *,
        stream_id: str,
        stream_version: int,
        subject_id: str | None,
        producer: str,
        prev_hash: str,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        traceparent: str | None = None,
        event_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> SealedEvent:
        """The canonical, hashed record of an already encrypted payload."""
        event_id = event_id or new_event_id()
        occurred_at = occurred_at or datetime.now(UTC)
        record: dict[str, Any] = {
            "event_id": str(event_id),
            "type": event.type,
            "schema_version": event.schema_version,
            "stream_id": stream_id,
            "stream_version": stream_version,
            "subject_id": subject_id,
            "occurred_at": occurred_at.isoformat(),
            "producer": producer,
            "correlation_id": correlation_id,
            "causation_id": causation_id,
            "traceparent": traceparent,
            "payload": payload,
            "prev_hash": prev_hash,
        }
        data, digest = canonical_with_hash(record)
        return SealedEvent(
            event_id=event_id,
            type=event.type,
            stream_id=stream_id,
            stream_version=stream_version,
            subject_id=subject_id,
            occurred_at=occurred_at,
            hash=digest,
            data=data,
            traceparent=traceparent,
        )

    async def seal(
        self,
        event: Event,
        *,
        stream_id: str,
        stream_version: int,
        subject_id: str | None,
        producer: str,
        prev_hash: str,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        traceparent: str | None = None,
        event_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> SealedEvent:
        """Encrypt and seal one event (the event store does the two steps apart)."""
        payload = await self.encrypt_payload(event, subject_id)
        return self.seal_record(
            event,
            payload,
            stream_id=stream_id,
            stream_version=stream_version,
            subject_id=subject_id,
            producer=producer,
            prev_hash=prev_hash,
            correlation_id=correlation_id,
            causation_id=causation_id,
            traceparent=traceparent,
            event_id=event_id,
            occurred_at=occurred_at,
        )

    async def open(self, data: bytes, position: int | None = None) -> Envelope[Event]:
        """Decode stored bytes; raises `UndecodableEvent` / `UnknownEventType`."""
        try:
            record = orjson.loads(data)
            event_type = record["type"]
            payload = upcast(event_type, int(record["schema_version"]), record["payload"])
        except UnknownEventType:
            raise
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise UndecodableEvent(describe_error(exc)) from exc
        model = EVENT_TYPES[event_type]
        personal = model.personal_fields()
        subject_id = record.get("subject_id")
        if personal and subject_id is not None:
            key = await self.keyring.key_for(subject_id)
            for name in personal:
                value = payload.get(name)
                if not (isinstance(value, dict) and ENC in value):
                    continue
                if isinstance(key, Redacted):
                    payload[name] = key.model_dump()
                else:
                    plain = decrypt(key, b64d(value[ENC]), _aad(subject_id, name))
                    payload[name] = orjson.loads(plain)
        try:
            return _ENVELOPE(
                event_id=record["event_id"],
                type=event_type,
                schema_version=model.schema_version,
                stream_id=record["stream_id"],
                stream_version=record["stream_version"],
                subject_id=subject_id,
                occurred_at=record["occurred_at"],
                producer=record["producer"],
                correlation_id=record.get("correlation_id"),
                causation_id=record.get("causation_id"),
                traceparent=record.get("traceparent"),
                payload=model.model_validate(payload),
                prev_hash=record["prev_hash"],
                hash=record["hash"],
                position=position,
            )
        except (KeyError, ValueError) as exc:
            raise UndecodableEvent(describe_error(exc)) from exc
