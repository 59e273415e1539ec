"""Handling a command: load the view, decide, append, project — one transaction.

Each person's consent events form one stream (`consent-<subject>`); staff's
policy and transfer events form the stream `policies`. Two commands racing on
one stream: the later one's append fails its version check and the whole
transaction is tried again on fresh state.
"""

from __future__ import annotations

from uuid import UUID

from ac_consent.domain import Command, Fact, decide
from ac_consent.views import load_person, load_policies, project
from ac_events.catalogue import Event
from ac_events.store import ConcurrencyError, EventStore

POLICY_STREAM = "policies"
MAX_ATTEMPTS = 5


def subject_stream(subject_id: str) -> str:
    return f"consent-{subject_id}"


async def handle(store: EventStore, subject_id: str, command: Command) -> list[UUID]:
    """Record a person's command; returns the ids of the events it produced."""
    for attempt in range(MAX_ATTEMPTS):
        async with store.pool.acquire() as conn, conn.transaction():
            stream = subject_stream(subject_id)
            version = await store.stream_version(stream, conn)
            policies = await load_policies(conn)
            person = await load_person(conn, subject_id)
            events = decide(policies, person, command)
            if not events:
                return []
            try:
                appended = await store.append(
                    stream, version, events, subject_id=subject_id, conn=conn
                )
            except ConcurrencyError:
                if attempt == MAX_ATTEMPTS - 1:
                    raise
                continue
            for sealed, event in zip(appended.events, events, strict=True):
                await project(conn, subject_id, Fact(sealed.event_id, sealed.occurred_at, event))
            return [s.event_id for s in appended.events]
    raise AssertionError("unreachable")


async def record_policy_events(store: EventStore, events: list[Event]) -> list[UUID]:
    """Staff's policy versions and business transfers: recorded and projected at once."""
    async with store.pool.acquire() as conn, conn.transaction():
        version = await store.stream_version(POLICY_STREAM, conn)
        appended = await store.append(POLICY_STREAM, version, events, conn=conn)
        for sealed, event in zip(appended.events, events, strict=True):
            await project(conn, None, Fact(sealed.event_id, sealed.occurred_at, event))
        return [s.event_id for s in appended.events]
