"""Vacancies: posted, revised and closed by their organisation, and closed by themselves at
their deadline (`Deadlines`, a worker driven by the injected clock).

Each command writes the row and appends its event to `vacancy-<id>` in one transaction, at
the version read under the row's lock. Posting counts against the organisation's hourly
bound ([H] issue 14 item 6).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from ac_contracts.errors import Refused
from ac_contracts.matching import VacancyBody
from ac_events.catalogue import CloseReason, VacancyClosed, VacancyPosted, VacancyRevised
from ac_events.catalogue.streams import vacancy_stream
from ac_events.store import NO_STREAM, EventStore
from ac_matching import store, store_vacancies
from ac_matching.domain import within_quota
from ac_matching.forms import numbered
from ac_platform.clock import Clock, utc_now

log = logging.getLogger(__name__)


def hour_of(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _content(body: VacancyBody) -> dict[str, Any]:
    content = body.model_dump(exclude={"form"})
    content["form"] = numbered(q.model_dump() for q in body.form)
    return content


def check_open(row: Any, now: datetime) -> None:
    if not row["open"]:
        raise Refused("vacancy_closed", "this vacancy is closed")


def check_deadline(deadline: datetime | None, now: datetime) -> None:
    if deadline is not None and deadline <= now:
        raise Refused("deadline_passed", "the application deadline given is in the past")


class Vacancies:
    def __init__(self, events: EventStore, clock: Clock = utc_now, per_hour: int = 50) -> None:
        self.events = events
        self.clock = clock
        self.per_hour = per_hour

    async def post(self, organization_id: str, body: VacancyBody) -> UUID:
        """A client's vacancy: its organisation must be known here (it arrives by Kafka)."""
        now = self.clock()
        check_deadline(body.deadline, now)
        event = VacancyPosted(
            vacancy_id=uuid.uuid4(), organization_id=organization_id, **_content(body)
        )
        async with self.events.pool.acquire() as conn, conn.transaction():
            if await store.organisation(conn, organization_id) is None:
                raise Refused(
                    "organisation_not_here_yet", "your organisation is not known here yet"
                )
            used = await store_vacancies.use_quota(conn, organization_id, "vacancies", hour_of(now))
            within_quota(used, self.per_hour, "vacancies posted")
            await store_vacancies.add_vacancy(conn, event.model_dump(), now)
            stream = vacancy_stream(event.vacancy_id)
            await self.events.append(stream, NO_STREAM, [event], conn=conn)
        return event.vacancy_id

    async def revise(self, vacancy_id: UUID, body: VacancyBody) -> None:
        now = self.clock()
        check_deadline(body.deadline, now)
        async with self.events.pool.acquire() as conn, conn.transaction():
            row = await store_vacancies.vacancy(conn, vacancy_id, lock=True)
            assert row is not None  # the route found it
            check_open(row, now)
            revision = row["revision"] + 1
            event = VacancyRevised(vacancy_id=vacancy_id, revision=revision, **_content(body))
            await store_vacancies.revise_vacancy(conn, vacancy_id, event.model_dump(), revision)
            await self._append(conn, vacancy_id, event)

    async def close(self, vacancy_id: UUID, reason: CloseReason) -> bool:
        """Closes an open vacancy (False: it was closed already)."""
        async with self.events.pool.acquire() as conn, conn.transaction():
            row = await store_vacancies.vacancy(conn, vacancy_id, lock=True)
            if row is None or not await store_vacancies.close_vacancy(conn, vacancy_id, reason):
                return False
            await self._append(
                conn, vacancy_id, VacancyClosed(vacancy_id=vacancy_id, reason=reason)
            )
        return True

    async def _append(
        self, conn: Any, vacancy_id: UUID, event: VacancyRevised | VacancyClosed
    ) -> None:
        stream = vacancy_stream(vacancy_id)
        version = await self.events.stream_version(stream, conn)
        await self.events.append(stream, version, [event], conn=conn)

    async def close_due(self) -> int:
        """Closes every open vacancy whose deadline has come (the `deadlines` worker)."""
        closed = 0
        for vacancy_id in await store_vacancies.due(self.events.pool, self.clock()):
            closed += await self.close(vacancy_id, CloseReason.DEADLINE_PASSED)
        if closed:
            log.info("closed %d vacancies at their deadline", closed)
        return closed
