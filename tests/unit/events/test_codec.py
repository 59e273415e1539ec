"""Sealing and opening events: encryption of personal fields, ERASED, upcasting."""

from __future__ import annotations

from uuid import uuid4

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ac_events.catalogue import ERASED, WITHHELD, ConsentGranted, RecipientNotified, UserRegistered
from ac_events.codec import Codec, UndecodableEvent
from ac_events.crypto import DecryptionError
from ac_events.envelope import GENESIS_HASH, canonical, record_hash
from ac_events.keyring import KeyDestroyed, NoKeys
from tests.unit.events.keyring_fake import MemoryKeyring


def alice(email: str = "alice@example.jp") -> UserRegistered:
    return UserRegistered(
        role="student",
        username="alice01",
        name="Alice Tanaka",
        email=email,
        school="Example University",
    )


async def seal(codec: Codec, event: UserRegistered, subject: str = "p-alice") -> bytes:
    sealed = await codec.seal(
        event,
        stream_id=f"user-{subject}",
        stream_version=1,
        subject_id=subject,
        producer="identity",
        prev_hash=GENESIS_HASH,
    )
    return sealed.data


async def test_personal_fields_are_encrypted_and_read_back() -> None:
    codec = Codec(MemoryKeyring())
    data = await seal(codec, alice())
    for plain in (b"alice@example.jp", b"Alice", b"Tanaka", b"alice01", b"Example University"):
        assert plain not in data
    assert b'"role":"student"' in data  # facts stay readable
    env = await codec.open(data)
    assert env.payload == alice()
    assert env.subject_id == "p-alice"


async def test_a_destroyed_key_reads_as_erased_and_the_facts_remain() -> None:
    keyring = MemoryKeyring()
    codec = Codec(keyring)
    data = await seal(codec, alice())
    await keyring.destroy("p-alice")
    env = await codec.open(data)
    assert isinstance(env.payload, UserRegistered)
    assert env.payload.email == ERASED
    assert env.payload.name == ERASED
    assert env.payload.role == "student"


async def test_a_reader_without_keys_gets_withheld() -> None:
    data = await seal(Codec(MemoryKeyring()), alice())
    env = await Codec(NoKeys()).open(data)
    assert isinstance(env.payload, UserRegistered)
    assert env.payload.email == WITHHELD


async def test_tampered_ciphertext_does_not_decrypt() -> None:
    keyring = MemoryKeyring()
    codec = Codec(keyring)
    record = orjson.loads(await seal(codec, alice()))
    other = orjson.loads(await seal(codec, alice("bob@example.jp"), subject="p-bob"))
    record["payload"]["email"] = other["payload"]["email"]  # bob's ciphertext, alice's key
    with pytest.raises(DecryptionError):
        await codec.open(canonical(record))


async def test_bytes_that_are_not_an_event_are_undecodable() -> None:
    with pytest.raises(UndecodableEvent):
        await Codec(MemoryKeyring()).open(b"\x00not json")


async def test_a_stored_v1_consent_is_read_as_the_current_version() -> None:
    consent_id = uuid4()
    record = {
        "event_id": str(uuid4()),
        "type": "ConsentGranted",
        "schema_version": 1,
        "stream_id": "consent-p1",
        "stream_version": 1,
        "subject_id": "p1",
        "occurred_at": "2025-01-01T00:00:00+00:00",
        "producer": "consent",
        "correlation_id": None,
        "causation_id": None,
        "traceparent": None,
        "payload": {
            "consent_id": str(consent_id),
            "purpose": "vacancy_assessment",
            "recipient": "*",
            "region": "jp",
            "data_categories": ["resume"],
            "policy_version": "2025-01",
            "country_notice_sha256": None,
            "channel": "web",
        },
        "prev_hash": GENESIS_HASH,
    }
    record["hash"] = record_hash(record)
    env = await Codec(MemoryKeyring()).open(canonical(record))
    assert env.schema_version == ConsentGranted.schema_version == 3
    assert isinstance(env.payload, ConsentGranted)
    assert env.payload.region == "JP"
    assert env.payload.policy_text_sha256 is None  # v3's field, unknown before it
    assert env.payload.sensitive_categories == ()
    assert env.payload.consent_id == consent_id


@settings(max_examples=50, deadline=None)
@given(email=st.text(min_size=1, max_size=200))
async def test_any_text_survives_seal_and_open(email: str) -> None:
    codec = Codec(MemoryKeyring())
    env = await codec.open(await seal(codec, alice(email)))
    assert isinstance(env.payload, UserRegistered)
    assert env.payload.email == email


async def test_an_invalid_payload_names_fields_not_values() -> None:
    keyring = MemoryKeyring()
    codec = Codec(keyring)
    record = orjson.loads(await seal(codec, alice()))
    record["payload"]["role"] = "alice@example.jp is no role"
    with pytest.raises(UndecodableEvent) as err:
        await codec.open(canonical(record))
    assert "role" in str(err.value)
    assert "alice" not in str(err.value)


async def test_after_erasure_only_an_event_with_nothing_personal_is_sealed() -> None:
    """A client told that a person was erased: that record needs no key, and gets none."""
    keyring = MemoryKeyring()
    codec = Codec(keyring)
    await keyring.ensure("p-alice")
    await keyring.destroy("p-alice")
    told = RecipientNotified(organization_id="org-globex", disclosure_ids=(uuid4(),),
                             change="erased")  # fmt: skip
    payload = await codec.encrypt_payload(told, "p-alice")
    assert payload["values"] is None
    with pytest.raises(KeyDestroyed):
        await codec.encrypt_payload(told.model_copy(update={"values": {"school": "X"}}), "p-alice")
    with pytest.raises(KeyDestroyed):
        await seal(codec, alice())
