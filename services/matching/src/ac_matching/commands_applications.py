"""The steps of an application, and a student's preferences.

A step (`Steps.take`) is one transaction: the application's row locked, the rule of
`domain.next_state` applied, the event appended to the student's `matching-<subject>`
stream (the codec seals its message under the student's key), the row and its history
written. A withdrawal ends the organisation's access to what it was sent (the provision's
record stays); so does the student's erasure (`end_for_erasure`, run by the consumer).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from ac_contracts.errors import Refused
from ac_events.catalogue import (
    ApplicationState,
    ApplicationStatusChanged,
    ApplicationWithdrawn,
    MatchingPreferences,
    PreferencesStated,
    Role,
)
from ac_events.catalogue.streams import matching_stream
from ac_events.keyring import Keyring
from ac_events.sealing import seal
from ac_events.store import EventStore
from ac_matching import ranking_docs, store, store_applications
from ac_matching.commands import RECORDS_NEED_NO_VERSION, SERVICE
from ac_matching.domain import Action, Actor, Application, ended_by_erasure, move
from ac_platform.clock import Clock, utc_now

PREFS = "preferences"


def _application(row: asyncpg.Record) -> Application:
    return Application(row["application_id"], row["vacancy_id"], row["organization_id"],
                       ApplicationState(row["state"]))  # fmt: skip


async def record_step(
    conn: asyncpg.Connection,
    events: EventStore,
    subject_id: str,
    event: ApplicationStatusChanged | ApplicationWithdrawn,
    at: datetime,
    sealed_message: str | None = None,
) -> None:
    appended = await events.append(matching_stream(subject_id), RECORDS_NEED_NO_VERSION,
                                   [event], subject_id=subject_id, conn=conn)  # fmt: skip
    if isinstance(event, ApplicationWithdrawn):
        to, by = ApplicationState.WITHDRAWN, Role.STUDENT
    else:
        to, by = event.to_state, event.moved_by_role
    await store_applications.set_state(conn, event.application_id, to.value, at)
    await store_applications.add_step(
        conn, event_id=appended.events[0].event_id, application_id=event.application_id, at=at,
        from_state=event.from_state.value, to_state=to.value, by_role=by.value,
        message_sealed=sealed_message,
    )  # fmt: skip


class Steps:
    def __init__(self, events: EventStore, keyring: Keyring, clock: Clock = utc_now) -> None:
        self.events = events
        self.keyring = keyring
        self.clock = clock

    async def take(
        self,
        application_id: UUID,
        action: Action,
        actor: Actor,
        by: str,
        *,
        organization_id: str | None = None,
        subject_id: str | None = None,
        message: str | None = None,
    ) -> None:
        """One step by a user of `organization_id`, or by the student `subject_id`."""
        async with self.events.pool.acquire() as conn, conn.transaction():
            row = await store_applications.application(conn, application_id, lock=True)
            mine = (
                row is not None
                and row["status"] == "shared"
                and (
                    row["organization_id"] == organization_id
                    if actor is Actor.CLIENT
                    else row["subject_id"] == subject_id
                )
            )
            if row is None or not mine:
                raise Refused("no_such_application", "no such application")
            student = row["subject_id"]
            event = move(_application(row), action, actor, by, message)
            sealed = None
            if message is not None:
                key = await self.keyring.key_for(student)
                if not isinstance(key, bytes):
                    raise Refused("erased", "this student has been erased")
                sealed = seal(key, SERVICE, student, f"message:{application_id}", message)
            await record_step(conn, self.events, student, event, self.clock(), sealed)


async def end_for_erasure(
    conn: asyncpg.Connection, events: EventStore, subject_id: str, at: datetime
) -> None:
    """An erased student's open applications end; their organisations are told (by
    notifications, from `ApplicationWithdrawn(cause=erased)`)."""
    for row in await store_applications.open_of_subject(conn, subject_id):
        event = ended_by_erasure(_application(row))
        if event is not None:
            await record_step(conn, events, subject_id, event, at)


async def state_preferences(
    events: EventStore, keyring: Keyring, subject_id: str, prefs: MatchingPreferences
) -> None:
    """A student's preferences: their row (sealed), their event, and the ranking index's row
    of the student, in one transaction."""
    for index, period in enumerate(prefs.available):
        if period.end < period.start:
            raise Refused("period_reversed", "a period ends on or after its start", index=index)
    key = await keyring.key_for(subject_id)
    if not isinstance(key, bytes):
        raise Refused("erased", "this person has been erased")
    sealed = seal(key, SERVICE, subject_id, PREFS, prefs.model_dump_json())
    async with events.pool.acquire() as conn, conn.transaction():
        await store.save_preferences(conn, subject_id, sealed)
        await events.append(matching_stream(subject_id), RECORDS_NEED_NO_VERSION,
                            [PreferencesStated(preferences=prefs)], subject_id=subject_id,
                            conn=conn)  # fmt: skip
        await ranking_docs.reindex(conn, key, subject_id)
