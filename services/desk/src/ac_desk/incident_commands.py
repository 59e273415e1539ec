"""The desk's incident commands [B] #17: load an incident's stream, decide (`incident.py`),
append at the version read, project its row, in one transaction.

Scoping asks the audit (its replay of the whole log) who the incident touched; the answer
is recorded as `IncidentScoped` (the counts, the cut of the log it read) and the people
themselves in `incident_people`, for their notices. A replay of a large log takes longer
than an HTTP call may wait, so the route starts the scope and answers at once (202); the
incident shows `scoping` until it is recorded (on the replica that runs it: a scope lost
with its replica is asked for again).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from uuid import UUID, uuid4

import asyncpg

from ac_contracts.errors import Refused
from ac_contracts.incidents import Affected, CloseIncidentBody, IncidentBody, ScopeQuery
from ac_desk import incident as rules
from ac_desk import incident_store as sql
from ac_desk.incident import Incident, IncidentRules
from ac_desk.incident_report import render
from ac_desk.peers import Audit
from ac_desk.settings import DeskSettings
from ac_events.catalogue import DataCategory, Event, IncidentOpened, ReportStage
from ac_events.catalogue.streams import incident_stream
from ac_events.store import NO_STREAM, ConcurrencyError, EventStore
from ac_platform.clock import Clock

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
NOTICE_PAGE = 500


def incident_rules(settings: DeskSettings) -> IncidentRules:
    return IncidentRules(warn_preliminary=timedelta(hours=settings.incident_warn_preliminary_h),
                         warn_final=timedelta(days=settings.incident_warn_final_days),
                         supervisors=settings.supervisors)  # fmt: skip


class Incidents:
    def __init__(
        self, settings: DeskSettings, events: EventStore, audit: Audit, clock: Clock
    ) -> None:
        self.rules = incident_rules(settings)
        self.events = events
        self.pool: asyncpg.Pool = events.pool
        self.audit = audit
        self.clock = clock
        self.pending: dict[UUID, asyncio.Task[Incident | None]] = {}
        self.failed: dict[UUID, str] = {}
        """Why the last scope of an incident failed (until one succeeds)."""

    def scoping(self, incident_id: UUID) -> bool:
        return incident_id in self.pending

    async def request_scope(self, incident_id: UUID, by: str) -> Incident:
        """Start the scope of an incident (once at a time); the incident as it is now."""
        i = await self.load(incident_id)
        rules.scopable(i)
        if incident_id not in self.pending:
            self.failed.pop(incident_id, None)
            task = asyncio.create_task(self._scope_in_background(incident_id, by))
            self.pending[incident_id] = task
        return i

    async def _scope_in_background(self, incident_id: UUID, by: str) -> Incident | None:
        try:
            return await self.scope(incident_id, by)
        except Exception as exc:
            log.warning("the scope of incident %s failed: %s", incident_id, type(exc).__name__)
            self.failed[incident_id] = str(getattr(exc, "reason", type(exc).__name__))
            return None
        finally:
            self.pending.pop(incident_id, None)

    async def stop(self) -> None:
        """Cancel the scopes under way (the service is stopping)."""
        for task in list(self.pending.values()):
            task.cancel()
        await asyncio.gather(*self.pending.values(), return_exceptions=True)

    async def load(self, incident_id: UUID) -> Incident:
        envs = await self.events.read_stream(incident_stream(incident_id))
        found = rules.fold([(e.payload, e.occurred_at) for e in envs])
        if found is None:
            raise Refused("no_such_incident", "no such incident")
        return found

    async def _append(
        self,
        i: Incident,
        events: list[Event],
        after: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
    ) -> Incident:
        at = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            await self.events.append(incident_stream(i.incident_id), i.version, events,
                                     conn=conn, occurred_at=at)  # fmt: skip
            for event in events:
                i = rules.evolve(i, event, at)
            await sql.save(conn, i)
            if after is not None:
                await after(conn)
        return i

    async def record(
        self, incident_id: UUID, decide: Callable[[Incident], list[Event]]
    ) -> Incident:
        """Decide on the incident's current state and record it; a concurrent change makes it
        decide again on the new state."""
        for _ in range(MAX_ATTEMPTS):
            i = await self.load(incident_id)
            events = decide(i)
            if not events:
                return i
            try:
                return await self._append(i, events)
            except ConcurrencyError:
                continue
        raise ConnectionError("the incident kept changing: try again")

    async def open(self, body: IncidentBody, by: str) -> Incident:
        opened = IncidentOpened(incident_id=uuid4(), opened_by=by, **body.model_dump())
        events = rules.open_incident(opened, self.clock())
        at = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            await self.events.append(incident_stream(opened.incident_id), NO_STREAM, events,
                                     conn=conn, occurred_at=at)  # fmt: skip
            i = Incident(opened, at)
            await sql.save(conn, i)
        return i

    async def scope(self, incident_id: UUID, by: str) -> Incident:
        i = await self.load(incident_id)
        rules.scopable(i)  # before the replay, which takes a while
        start, end = rules.window(i)
        found = await self.audit.scope(ScopeQuery(recipients=list(i.opened.recipients),
                                                  data_categories=list(i.opened.data_categories),
                                                  started_at=start, ended_at=end))  # fmt: skip
        for _ in range(MAX_ATTEMPTS):
            events = rules.scope(i, found, by)

            async def people(conn: asyncpg.Connection) -> None:
                await sql.set_people(conn, incident_id, found.affected)

            try:
                return await self._append(i, events, people)
            except ConcurrencyError:
                i = await self.load(incident_id)
        raise ConnectionError("the incident kept changing: try again")

    def document(self, i: Incident, stage: ReportStage) -> str:
        return render(i, stage, self.clock())

    async def report(self, incident_id: UUID, stage: ReportStage, by: str) -> Incident:
        def decide(i: Incident) -> list[Event]:
            page = self.document(i, stage)
            sha = hashlib.sha256(page.encode()).hexdigest()
            return rules.report(i, stage, sha, by, self.clock())

        return await self.record(incident_id, decide)

    async def notify(self, incident_id: UUID) -> Incident:
        """Notify every affected person not told yet, a page at a time (each page one
        transaction: a failure leaves the told ones told, and asking again goes on)."""
        i = await self.load(incident_id)
        after: str | None = None
        while True:
            rows = await sql.people(self.pool, incident_id, after, NOTICE_PAGE)
            if not rows:
                return i
            page = [Affected(subject_id=r["subject_id"], special_care=r["special_care"],
                             data_categories=[DataCategory(c) for c in r["categories"]])
                    for r in rows]  # fmt: skip
            i = await self.record(incident_id, partial(_notify, page=page))
            after = rows[-1]["subject_id"]

    async def close(self, incident_id: UUID, body: CloseIncidentBody, by: str) -> Incident:
        return await self.record(incident_id, lambda i: rules.close(
            i, body.reason, body.no_notice_reason, body.public_announcement, by))  # fmt: skip

    async def deadlines(self) -> int:
        """One look at the incidents' deadlines; returns how many warnings were recorded."""
        now = self.clock()
        longest = max(self.rules.warn_preliminary, self.rules.warn_final)
        warned = 0
        for incident_id in await sql.needing_warning(self.pool, now + longest):
            before = (await self.load(incident_id)).version
            after = await self.record(incident_id, lambda i: rules.deadlines(i, now, self.rules))
            warned += after.version - before
        return warned


def _notify(i: Incident, page: list[Affected]) -> list[Event]:
    return rules.notify(i, page)
