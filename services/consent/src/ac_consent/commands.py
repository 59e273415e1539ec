"""Handling a command: load the view, decide, append, project — one transaction.

Each person's consent events form one stream (`consent-<subject>`); staff's
policy and transfer events form the stream `policies`. Two commands racing on
one stream: the later one's append fails its version check and the whole
transaction is tried again on fresh state.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from ac_consent import store as sql
from ac_consent.domain import Command, ConsentRuleError, Fact, Grant, decide
from ac_consent.views import POLICY_STREAM, load_person, load_policies, project, subject_stream
from ac_events.catalogue import ANY_RECIPIENT, Event, ViewPosition
from ac_events.store import ConcurrencyError, EventStore

MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Handled:
    event_ids: list[UUID]
    """The events the command produced (none when it changed nothing)."""
    position: ViewPosition
    """The person's and the policies' stream versions after it (to cite or read as of)."""


async def handle(store: EventStore, subject_id: str, command: Command) -> Handled:
    """Record a person's command, projected in the same transaction."""
    for attempt in range(MAX_ATTEMPTS):
        async with store.pool.acquire() as conn, conn.transaction():
            stream = subject_stream(subject_id)
            version = await store.stream_version(stream, conn)
            policies_version = await store.stream_version(POLICY_STREAM, conn)
            policies = await load_policies(conn)
            person = await load_person(conn, subject_id)
            if isinstance(command, Grant):
                await check_references(conn, command)
            events = decide(policies, person, command)
            if not events:
                return Handled(
                    [], ViewPosition(subject_version=version, policies_version=policies_version)
                )
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
            position = ViewPosition(
                subject_version=appended.version, policies_version=policies_version
            )
            return Handled([s.event_id for s in appended.events], position)
    raise AssertionError("unreachable")


async def check_references(conn: asyncpg.Connection, grant: Grant) -> None:
    """What a grant names must exist: the recipient, and the country notice it was shown."""
    if grant.recipient != ANY_RECIPIENT and not await sql.organisation_known(conn, grant.recipient):
        raise ConsentRuleError("unknown_recipient", f"no organisation {grant.recipient!r}")
    if grant.country_notice_sha256 is None:
        return
    notice = await sql.country_notice(conn, grant.country_notice_sha256)
    if notice is None:
        raise ConsentRuleError("unknown_country_notice", "no country notice with that hash")
    if notice["country"] != grant.region:
        raise ConsentRuleError(
            "notice_for_another_country",
            f"the notice shown is about {notice['country']}, not {grant.region}",
        )


async def record_policy_events(
    store: EventStore, events: list[Event], stream: str = POLICY_STREAM
) -> list[UUID]:
    """Staff's policy versions and business transfers (or, on `NOTICE_STREAM`, country
    notices): recorded and projected at once, at the stream's tail."""
    async with store.pool.acquire() as conn, conn.transaction():
        version = await store.stream_version(stream, conn)
        appended = await store.append(stream, version, events, conn=conn)
        for sealed, event in zip(appended.events, events, strict=True):
            await project(conn, None, Fact(sealed.event_id, sealed.occurred_at, event))
        return [s.event_id for s in appended.events]
