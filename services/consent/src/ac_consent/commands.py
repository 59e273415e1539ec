"""Running a command: load the state, decide, append with the expected version, project:
one transaction.

Each person's consent events form one stream (`consent-<subject>`); staff's
policy and transfer events form the stream `policies`, country notices the
stream `country-notices`. Two commands racing on one stream: the later one's
append fails its version check and the whole transaction is tried again on
fresh state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

import asyncpg

from ac_consent import store as sql
from ac_consent.domain import (
    Command,
    Grant,
    PublishPolicy,
    StaffCommand,
    decide,
    decide_staff,
)
from ac_consent.views import load_person, load_policies, project
from ac_consent_rules.rules import Fact
from ac_contracts.consent import NoticeBody
from ac_contracts.errors import Refused
from ac_events.catalogue import ANY_RECIPIENT, CountryNoticePublished, Event, ViewPosition
from ac_events.catalogue.streams import NOTICE_STREAM, POLICY_STREAM, consent_stream
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
    stream = consent_stream(subject_id)
    for attempt in range(MAX_ATTEMPTS):
        async with store.pool.acquire() as conn, conn.transaction():
            version = await store.stream_version(stream, conn)
            policies_version = await store.stream_version(POLICY_STREAM, conn)
            policies = await load_policies(conn)
            person = await load_person(conn, subject_id)
            if isinstance(command, Grant):
                await check_references(conn, command)
                published = await sql.policy_text_sha256(conn, command.policy_version)
                command = replace(command, version_text_sha256=published)
            events = decide(policies, person, command)
            if not events:
                return Handled([], ViewPosition(subject_version=version,
                                                policies_version=policies_version))  # fmt: skip
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
        raise Refused("unknown_recipient", f"no organisation {grant.recipient!r}")
    if grant.country_notice_sha256 is None:
        return
    notice = await sql.country_notice(conn, grant.country_notice_sha256)
    if notice is None:
        raise Refused("unknown_country_notice", "no country notice with that hash")
    if notice["country"] != grant.region:
        raise Refused(
            "notice_for_another_country",
            f"the notice shown is about {notice['country']}, not {grant.region}",
        )


async def handle_staff(store: EventStore, command: StaffCommand) -> UUID:
    """A policy version or a business transfer, decided on the policies at the stream's tail
    and recorded there (a concurrent one makes this try again on fresh state)."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            async with store.pool.acquire() as conn, conn.transaction():
                policies = await load_policies(conn)
                if isinstance(command, PublishPolicy):
                    sha = command.event.text_sha256
                    command = replace(
                        command, text_published_as=await sql.version_of_text(conn, sha)
                    )
                [event_id] = await _record(
                    store, conn, POLICY_STREAM, decide_staff(policies, command)
                )
                return event_id
        except ConcurrencyError:
            if attempt == MAX_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def publish_notice(store: EventStore, body: NoticeBody) -> str:
    """A country notice, stored by its content's hash: publishing the same text again
    records nothing new. The notices' stream is appended at its tail: a notice is a fact
    of its own, never decided against the others."""
    digest = body.sha256()
    async with store.pool.acquire() as conn, conn.transaction():
        if await sql.country_notice(conn, digest) is None:
            event = CountryNoticePublished(notice_sha256=digest, **body.model_dump())
            await _record(store, conn, NOTICE_STREAM, [event])
    return digest


async def publish_on_start(store: EventStore, event: Event, version: str) -> bool:
    """Publishes a policy shipped with the service unless `version` is there already."""
    for _ in range(MAX_ATTEMPTS):
        async with store.pool.acquire() as conn:
            if version in (await load_policies(conn)).ranks:
                return False
        try:
            async with store.pool.acquire() as conn, conn.transaction():
                await _record(store, conn, POLICY_STREAM, [event])
            return True
        except ConcurrencyError:
            continue  # another replica published something meanwhile: look again
    raise RuntimeError("the policies stream kept moving: the shipped policy was not published")


async def _record(
    store: EventStore, conn: asyncpg.Connection, stream: str, events: list[Event]
) -> list[UUID]:
    version = await store.stream_version(stream, conn)
    appended = await store.append(stream, version, events, conn=conn)
    for sealed, event in zip(appended.events, events, strict=True):
        await project(conn, None, Fact(sealed.event_id, sealed.occurred_at, event))
    return [s.event_id for s in appended.events]
