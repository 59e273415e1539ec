"""Crypto-shredding and tamper evidence, end to end through PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg

from ac_events.catalogue import ERASED, ConsentGranted, Purpose, UserRegistered
from ac_events.chain import verify
from ac_events.codec import Codec
from ac_events.kafka import make_producer
from ac_events.keyring import CachedKeyring, PostgresKeyring
from ac_events.relay import OutboxRelay
from ac_events.store import NO_STREAM
from tests.integration.events.conftest import Rig
from tests.support.kafka import read_topic, wait_for_count
from tests.support.sample_events import SampleNoted


async def publish_all(rig: Rig, count: int) -> None:
    producer = make_producer(rig.bootstrap)
    await producer.start()
    relay = OutboxRelay(rig.store, producer, rig.topic, poll_interval_s=0.05)
    task = asyncio.create_task(relay.run())
    await wait_for_count(rig.bootstrap, rig.topic, count)
    relay.stop()
    await task
    await producer.stop()


async def stored_bytes(pool: asyncpg.Pool) -> list[bytes]:
    rows = await pool.fetch("SELECT data FROM events ORDER BY stream_id, stream_version")
    return [bytes(r["data"]) for r in rows]


async def heads(pool: asyncpg.Pool) -> dict[str, tuple[int, str]]:
    rows = await pool.fetch("SELECT stream_id, version, last_hash FROM streams")
    return {r["stream_id"]: (r["version"], r["last_hash"]) for r in rows}


async def test_erasure_shreds_every_copy_and_keeps_the_facts(rig: Rig) -> None:
    people = {
        "p-alice": ("Alice Tanaka", "alice.tanaka@example.jp"),
        "p-bob": ("Bob Sato", "bob.sato@example.jp"),
    }
    for subject, (name, email) in people.items():
        registered = UserRegistered(
            role="student", username=email.split("@")[0], name=name, email=email
        )
        consent = ConsentGranted(
            consent_id=uuid4(),
            purpose=Purpose.VACANCY_ASSESSMENT,
            recipient="*",
            region="JP",
            policy_version="2026-04",
        )
        await rig.store.append(f"user-{subject}", NO_STREAM, [registered], subject_id=subject)
        await rig.store.append(f"consent-{subject}", NO_STREAM, [consent], subject_id=subject)
    await publish_all(rig, 4)

    # Nothing personal in the clear, in the topic or in the store.
    raw = [r.value for r in await read_topic(rig.bootstrap, rig.topic)]
    raw += await stored_bytes(rig.pool)
    for blob in raw:
        for name, email in people.values():
            for secret in (*name.split(), email, email.split("@")[0]):
                assert secret.encode() not in blob

    await rig.keyring.destroy("p-alice")
    # A reader with a fresh cache (another service) replays the whole topic.
    reader = Codec(CachedKeyring(PostgresKeyring(rig.pool, rig.master)))
    replayed = [await reader.open(r.value) for r in await read_topic(rig.bootstrap, rig.topic)]
    alice = {type(e.payload): e.payload for e in replayed if e.subject_id == "p-alice"}
    bob = {type(e.payload): e.payload for e in replayed if e.subject_id == "p-bob"}
    user, kept = alice[UserRegistered], alice[ConsentGranted]
    assert isinstance(user, UserRegistered) and isinstance(kept, ConsentGranted)
    assert (user.name, user.email, user.username) == (ERASED, ERASED, ERASED)
    assert user.role == "student"  # the non-personal fact survives
    assert kept.purpose == Purpose.VACANCY_ASSESSMENT  # so does who consented to what
    other = bob[UserRegistered]
    assert isinstance(other, UserRegistered) and other.email == "bob.sato@example.jp"
    # The chain covers ciphertext: erasure does not break it.
    assert verify(await stored_bytes(rig.pool), await heads(rig.pool)) == []


async def test_chain_names_an_altered_and_a_deleted_event(rig: Rig) -> None:
    for s in ("a", "b", "c"):
        await rig.store.append(
            f"s-{s}", NO_STREAM, [SampleNoted(seq=k, note=f"n{k}") for k in range(4)], subject_id=s
        )
    assert verify(await stored_bytes(rig.pool), await heads(rig.pool)) == []

    # Alter one byte of the ciphertext-free part of s-a v2 (its seq), straight in the table.
    await rig.pool.execute(
        """UPDATE events SET data = convert_to(replace(convert_from(data, 'UTF8'),
               '"seq":1', '"seq":7'), 'UTF8')
           WHERE stream_id = 's-a' AND stream_version = 2"""
    )
    # Delete s-b v3, and the last event of s-c.
    await rig.pool.execute("DELETE FROM events WHERE stream_id = 's-b' AND stream_version = 3")
    await rig.pool.execute("DELETE FROM events WHERE stream_id = 's-c' AND stream_version = 4")

    breaks = verify(await stored_bytes(rig.pool), await heads(rig.pool))
    assert [(b.stream_id, b.stream_version, b.kind) for b in breaks] == [
        ("s-a", 2, "altered"),
        ("s-b", 3, "missing"),
        ("s-c", 4, "missing"),
    ]
