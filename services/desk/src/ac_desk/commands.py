"""The desk's commands: load a request's stream, decide (`domain.py`), append at the version
read, project its row, in one transaction; then carry out at once what can be.

At once, without staff: a disclosure once the person passed step-up; an erasure
(identity erases the account); a change of the email address; a cessation of use
or of provision resting on consents (the consent service withdraws them, as the
person, with their own token). Everything else waits in the staff queue, and staff
carry it out when they answer (`apply`). A peer that is away leaves the request
in the queue; nothing is lost.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import asyncpg

from ac_contracts.errors import Refused
from ac_desk import domain
from ac_desk import store as sql
from ac_desk.case import Case, Status, evolve, filed, fold
from ac_desk.domain import File, Rules
from ac_desk.peers import Consents, Identity
from ac_desk.settings import DeskSettings
from ac_events.catalogue import (
    FIELD_KINDS,
    Event,
    Outcome,
    ProfileField,
    RequestCloseReason,
    RequestFiled,
    RequestKind,
)
from ac_events.catalogue.streams import request_stream
from ac_events.keyring import CachedKeyring, KeyDestroyed
from ac_events.store import NO_STREAM, ConcurrencyError, EventStore
from ac_platform.clock import Clock

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def rules_of(settings: DeskSettings) -> Rules:
    return Rules(
        target=settings.target,
        warn_before=timedelta(days=settings.warn_days_before),
        code_ttl=timedelta(seconds=settings.code_ttl_s),
        code_tries=settings.code_tries,
        codes_per_request=settings.codes_per_request,
        resend_after=timedelta(seconds=settings.code_resend_after_s),
        disclosure_for=timedelta(days=settings.disclosure_days),
        supervisors=settings.supervisors,
    )


def new_code() -> str:
    """Six digits from the OS's randomness."""
    return f"{secrets.randbelow(10**6):06d}"


class Desk:
    def __init__(
        self,
        settings: DeskSettings,
        events: EventStore,
        identity: Identity,
        consents: Consents,
        keyring: CachedKeyring,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.keyring = keyring
        self.rules = rules_of(settings)
        self.events = events
        self.pool: asyncpg.Pool = events.pool
        self.identity = identity
        self.consents = consents
        self.clock = clock

    # -- the stream -------------------------------------------------------

    async def load(self, request_id: UUID) -> Case | None:
        envs = await self.events.read_stream(request_stream(request_id))
        return fold([(e.payload, e.occurred_at, e.subject_id) for e in envs])

    async def own(self, request_id: UUID, subject_id: str) -> Case:
        """The request, if it is this person's (else: there is no such request of theirs)."""
        case = await self.load(request_id)
        if case is None or case.subject_id != subject_id:
            raise Refused("no_such_request", "no such request of yours")
        return case

    @asynccontextmanager
    async def _tx(self, conn: asyncpg.Connection | None) -> AsyncIterator[asyncpg.Connection]:
        if conn is not None:
            yield conn
            return
        async with self.pool.acquire() as own, own.transaction():
            yield own

    async def _append(
        self, case: Case, events: list[Event], conn: asyncpg.Connection | None = None
    ) -> Case:
        at = self.clock()
        expected = case.version
        async with self._tx(conn) as tx:
            try:
                await self.events.append(request_stream(case.request_id), expected, events,
                                         subject_id=case.subject_id, conn=tx, occurred_at=at)  # fmt: skip
            except KeyDestroyed as exc:
                raise Refused("erased", "this person has been erased") from exc
            for event in events:
                case = evolve(case, event, at)
            await sql.save(tx, case)
        return case

    async def record(
        self,
        request_id: UUID,
        decide: Callable[[Case], list[Event]],
        conn: asyncpg.Connection | None = None,
    ) -> Case:
        """Decide on the request's current state and record it; a concurrent change makes it
        decide again on the new state."""
        for attempt in range(MAX_ATTEMPTS):
            case = await self.load(request_id)
            if case is None:
                raise Refused("no_such_request", "no such request")
            events = decide(case)
            if not events:
                return case
            try:
                return await self._append(case, events, conn)
            except ConcurrencyError:
                if attempt == MAX_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    # -- filing -----------------------------------------------------------

    async def file(self, subject_id: str, command: File, bearer: str | None = None) -> Case:
        """A new request: recorded, then carried out at once if it can be (web requests)."""
        if command.staff is None and domain.needs_step_up(command.kind, command.field):
            command = replace(command, code=new_code())
        now = self.clock()
        events = domain.file(command, now, self.rules)
        first = events[0]
        assert isinstance(first, RequestFiled)
        case = filed(first, subject_id, now, version=0)
        async with self.pool.acquire() as conn, conn.transaction():
            try:
                await self.events.append(request_stream(command.request_id), NO_STREAM, events,
                                         subject_id=subject_id, conn=conn, occurred_at=now)  # fmt: skip
            except KeyDestroyed as exc:
                raise Refused("unknown_person", "nobody by that id (or they were erased)") from exc
            case = replace(case, version=1)
            for event in events[1:]:
                case = evolve(case, event, now)
            await sql.save(conn, case)
        if command.staff is None:
            case = await self.at_once(case, bearer)
        return case

    async def file_for_guest(self, command: File) -> Case:
        """A complaint or enquiry without an account: a pseudonymous guest with a data key of
        their own at identity (destroyed when the request's retention ends)."""
        guest = f"guest-{uuid4().hex}"
        await self.identity.make_guest_key(guest)
        return await self.file(guest, command)

    # -- step-up verification ---------------------------------------------

    async def new_code(self, request_id: UUID, subject_id: str) -> Case:
        await self.own(request_id, subject_id)
        code, now = new_code(), self.clock()
        return await self.record(request_id, lambda c: domain.issue_code(c, code, now, self.rules))

    async def verify(
        self, request_id: UUID, subject_id: str, password: str, code: str, bearer: str | None
    ) -> Case:
        """The password (identity judges it) and the code; once passed, carried out at once."""
        case = await self.own(request_id, subject_id)
        now = self.clock()
        if domain.ready_to_verify(case, now, self.rules):
            password_ok = await self.identity.password_ok(subject_id, password)
            passed: list[bool] = []

            def decide(c: Case) -> list[Event]:
                outcome = domain.verify(c, password_ok, code, now, self.rules)
                passed[:] = [outcome.passed]
                return outcome.events

            case = await self.record(request_id, decide)
            if not passed[0]:
                raise Refused("step_up_failed", "the password or the code is wrong",
                              tries_left=max(0, self.rules.code_tries - case.tries))  # fmt: skip
        return await self.at_once(case, bearer)

    # -- carried out at once ----------------------------------------------

    async def at_once(self, case: Case, bearer: str | None) -> Case:
        """What the desk does without staff, on a request the person made on the web."""
        if case.status != Status.OPEN or case.filed_by is not None or not case.account:
            return case
        language, subject = case.language, case.subject_id
        if case.kind == RequestKind.DISCLOSURE:
            reason = domain.said("disclosure", language, days=self.settings.disclosure_days)
            return await self._answer(case, Outcome.GRANTED, reason, ("disclosure ready",))
        if case.kind == RequestKind.ERASURE:
            await self.identity.erase(subject)
            reason = domain.said("erasure", language)
            return await self._answer(case, Outcome.GRANTED, reason, ("erasure requested",))
        if case.kind in FIELD_KINDS and case.field == ProfileField.EMAIL and case.value:
            await self.identity.change_profile(subject, {"email": case.value})
            reason = domain.said("email", language)
            return await self._answer(case, Outcome.GRANTED, reason, ("profile.email corrected",))
        if case.kind in (RequestKind.CESSATION_OF_USE, RequestKind.CESSATION_OF_PROVISION):
            try:
                actions = await self._stop(case, bearer)
            except (ConnectionError, Refused) as exc:  # consent away: staff take it up
                log.warning("request %s left to staff: %s", case.request_id, type(exc).__name__)
                return case
            if actions:
                reason = domain.said("stopped", language, count=len(actions))
                return await self._answer(case, Outcome.GRANTED, reason, actions)
        return case

    async def _answer(
        self, case: Case, outcome: Outcome, reason: str, actions: tuple[str, ...]
    ) -> Case:
        return await self.record(
            case.request_id, lambda c: domain.answer(c, outcome, reason, None, actions)
        )

    async def _stop(self, case: Case, bearer: str | None) -> tuple[str, ...]:
        """Withdraws the consents a cessation names (of the purpose, or to the recipient)."""
        standing = await self.consents.standing(case.subject_id)
        if case.kind == RequestKind.CESSATION_OF_USE:
            targets = [c for c in standing if c["purpose"] == case.purpose]
        else:
            targets = [c for c in standing if c["recipient"] == case.recipient]
        actions = []
        for c in targets:
            if await self.consents.withdraw(case.subject_id, c["consent_id"]):
                actions.append(f"consent {c['consent_id']} withdrawn")
        return tuple(actions)

    # -- staff ------------------------------------------------------------

    async def answer(
        self, request_id: UUID, staff: str, outcome: Outcome, reason: str, apply: bool
    ) -> Case:
        """Staff's answer; a granted one is carried out first (`apply`)."""
        case = await self.load(request_id)
        if case is None:
            raise Refused("no_such_request", "no such request")
        domain.answer(case, outcome, reason, staff)  # refuses now what the record would
        actions: tuple[str, ...] = ()
        if apply and outcome in (Outcome.GRANTED, Outcome.PARTLY_GRANTED):
            actions = await self._carry_out(case)
        return await self.record(
            request_id, lambda c: domain.answer(c, outcome, reason, staff, actions)
        )

    async def _carry_out(self, case: Case) -> tuple[str, ...]:
        subject, field = case.subject_id, case.field
        if case.kind in FIELD_KINDS and field is not None and field != ProfileField.OTHER:
            if case.kind == RequestKind.DELETION:
                await self.identity.change_profile(subject, {"remove": [field.value]})
                return (f"profile.{field.value} deleted",)
            await self.identity.change_profile(subject, {field.value: case.value})
            return (f"profile.{field.value} corrected",)
        if case.kind == RequestKind.ERASURE and case.account:
            await self.identity.erase(subject)
            return ("erasure requested",)
        if case.kind in (RequestKind.CESSATION_OF_USE, RequestKind.CESSATION_OF_PROVISION):
            return await self._stop(case, None)
        return ()

    async def close_erased(self, conn: asyncpg.Connection, subject_id: str) -> int:
        """The person was erased: their open requests close (in the consumer's transaction)."""
        closed = 0
        for request_id in await sql.open_of_subject(conn, subject_id):
            case = await self.load(request_id)
            events = domain.close(case, None, RequestCloseReason.ERASED) if case else []
            if case and events:
                await self._append(case, events, conn)
                closed += 1
        return closed
