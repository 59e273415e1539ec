"""The register of processors [B] #17: a processor as its stream tells it, the rules (pure),
and the commands (load, decide, append at the version read, project), the SQL beside them.

Registered once under its id; revised as a whole while active; retired once (nothing more
may be sent to it). Outside Japan the terms need their equivalent-measures basis (the
catalogue refuses them without).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import asyncpg
import orjson
from pydantic import ValidationError

from ac_contracts.errors import Refused
from ac_contracts.processors import ProcessorBody, RevisionBody
from ac_desk.store import Conn
from ac_events.catalogue import Event, ProcessorRegistered, ProcessorRetired, ProcessorRevised
from ac_events.catalogue.processors import ProcessorTerms
from ac_events.catalogue.streams import processor_stream
from ac_events.store import NO_STREAM, ConcurrencyError, EventStore
from ac_platform.clock import Clock


@dataclass(frozen=True, slots=True)
class Processor:
    terms: ProcessorTerms
    registered_at: datetime
    version: int = 1
    revised_at: datetime | None = None
    retired_at: datetime | None = None

    @property
    def status(self) -> str:
        return "retired" if self.retired_at else "active"


def fold(history: list[tuple[Event, datetime]]) -> Processor | None:
    if not history:
        return None
    first, at = history[0]
    if not isinstance(first, ProcessorRegistered):
        raise ValueError("a processor's stream starts with ProcessorRegistered")
    p = Processor(first, at)
    for event, when in history[1:]:
        p = evolve(p, event, when)
    return p


def evolve(p: Processor, e: Event, at: datetime) -> Processor:
    p = replace(p, version=p.version + 1)
    if isinstance(e, ProcessorRevised):
        return replace(p, terms=e, revised_at=at)
    if isinstance(e, ProcessorRetired):
        return replace(p, retired_at=at)
    return p


def _terms(make: type[ProcessorTerms], fields: dict[str, Any]) -> ProcessorTerms:
    try:
        return make(**fields)
    except ValidationError as exc:
        raise Refused("safeguards_required", "a processor outside Japan needs the basis of "
                      "its equivalent measures (APPI art. 28)") from exc  # fmt: skip


def revise(p: Processor, body: RevisionBody, by: str) -> list[Event]:
    if p.retired_at is not None:
        raise Refused("processor_retired", "the processor is retired")
    fields = {**body.model_dump(), "processor_id": p.terms.processor_id, "revised_by": by}
    return [_terms(ProcessorRevised, fields)]


def retire(p: Processor, reason: str, by: str) -> list[Event]:
    if p.retired_at is not None:
        raise Refused("processor_retired", "the processor is retired")
    return [ProcessorRetired(processor_id=p.terms.processor_id, reason=reason, retired_by=by)]


class Register:
    def __init__(self, events: EventStore, clock: Clock) -> None:
        self.events = events
        self.pool: asyncpg.Pool = events.pool
        self.clock = clock

    async def load(self, processor_id: str) -> Processor:
        envs = await self.events.read_stream(processor_stream(processor_id))
        found = fold([(e.payload, e.occurred_at) for e in envs])
        if found is None:
            raise Refused("no_such_processor", "no such processor in the register")
        return found

    async def _record(self, p: Processor, events: list[Event], *, new: bool) -> Processor:
        """Append `events` to `p`'s stream (a new stream when `new`) and project the row."""
        at = self.clock()
        expected = NO_STREAM if new else p.version
        async with self.pool.acquire() as conn, conn.transaction():
            try:
                await self.events.append(processor_stream(p.terms.processor_id), expected,
                                         events, conn=conn, occurred_at=at)  # fmt: skip
            except ConcurrencyError as exc:
                if new:
                    raise Refused("processor_exists", "that processor id is registered") from exc
                raise
            if new:
                p = replace(p, registered_at=at)
            else:
                for e in events:
                    p = evolve(p, e, at)
            await save(conn, p)
        return p

    async def register(self, body: ProcessorBody, by: str) -> Processor:
        event = _terms(ProcessorRegistered, {**body.model_dump(), "registered_by": by})
        return await self._record(Processor(event, self.clock()), [event], new=True)

    async def change(
        self, processor_id: str, decide: Callable[[Processor], list[Event]]
    ) -> Processor:
        for _ in range(5):
            p = await self.load(processor_id)
            try:
                return await self._record(p, decide(p), new=False)
            except ConcurrencyError:
                continue
        raise ConnectionError("the processor kept changing: try again")


async def save(conn: asyncpg.Connection, p: Processor) -> None:
    await conn.execute(
        """INSERT INTO processors (processor_id, status, terms, registered_at, revised_at,
               retired_at, version) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)
           ON CONFLICT (processor_id) DO UPDATE SET status = EXCLUDED.status,
               terms = EXCLUDED.terms, revised_at = EXCLUDED.revised_at,
               retired_at = EXCLUDED.retired_at, version = EXCLUDED.version
           WHERE processors.version < EXCLUDED.version""",
        p.terms.processor_id,
        p.status,
        orjson.dumps(p.terms.model_dump(mode="json")).decode(),
        p.registered_at,
        p.revised_at,
        p.retired_at,
        p.version,
    )


async def listed(conn: Conn, after: str | None, limit: int, active: bool) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT * FROM processors WHERE ($1::text IS NULL OR processor_id > $1)
           AND (NOT $3 OR status = 'active') ORDER BY processor_id LIMIT $2""",
        after,
        limit,
        active,
    )
    return rows
