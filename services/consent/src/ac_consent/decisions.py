"""Decisions on the consent view: many asks, one statement, one snapshot.

A decision reads one statement (`store.decision_inputs`: one snapshot) and names
the versions of the two streams it saw (`ViewPosition`). The policies change
rarely, so they are cached per version of their stream; the statement returns
that version, and a decision never runs on policies of another one.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from ac_consent import store
from ac_consent.views import consent_row, load_policies
from ac_consent_rules.rules import Consent, Decision, FlowRequest, Person, Policies, decide_flow
from ac_events.catalogue import ViewPosition
from ac_events.catalogue.streams import POLICY_STREAM, consent_stream


@dataclass(frozen=True, slots=True)
class PositionedDecision:
    decision: Decision
    position: ViewPosition
    """The versions of the streams the decision read (cited by `DataShared`)."""


class UnknownRecipients(ValueError):
    """Requests naming a recipient the consent service has never heard of."""

    def __init__(self, indexes: list[int]) -> None:
        super().__init__(f"unknown recipient in request(s) {indexes}")
        self.indexes = indexes


class PolicyCache:
    """The policies, kept per version of their stream (they change rarely)."""

    def __init__(self) -> None:
        self.version = -1
        self.policies = Policies()

    async def at(self, pool: asyncpg.Pool, version: int) -> Policies | None:
        """The policies at `version`, or None if the stream has moved on meanwhile."""
        if version != self.version:
            async with (
                pool.acquire() as conn,
                conn.transaction(isolation="repeatable_read", readonly=True),
            ):
                self.version = await store.policies_version(conn, POLICY_STREAM)
                self.policies = await load_policies(conn)
        return self.policies if version == self.version else None


@dataclass(frozen=True, slots=True)
class Ask:
    subject_id: str
    request: FlowRequest


async def decide_many(
    pool: asyncpg.Pool, cache: PolicyCache, asks: Sequence[Ask]
) -> list[PositionedDecision | None]:
    """Decide every ask on ONE snapshot; None for an ask naming an unknown recipient."""
    subjects = [a.subject_id for a in asks]
    args = (
        subjects,
        [consent_stream(s) for s in subjects],
        [a.request.purpose.value for a in asks],
        [a.request.recipient for a in asks],
        POLICY_STREAM,
    )
    while True:
        rows = await store.decision_inputs(pool, *args)
        policies_version = int(rows[0]["policies_version"] or 0) if rows else 0
        policies = await cache.at(pool, policies_version)
        if policies is not None:
            break
    by_ask: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        by_ask[row["idx"]].append(row)
    decided: list[PositionedDecision | None] = []
    for i, ask in enumerate(asks, start=1):
        group = by_ask[i]
        first = group[0]
        if not first["recipient_known"]:
            decided.append(None)
            continue
        person = _person(group, first["objections"], first["erased"])
        position = ViewPosition(
            subject_version=int(first["subject_version"] or 0),
            policies_version=policies_version,
        )
        decided.append(PositionedDecision(decide_flow(policies, person, ask.request), position))
    return decided


_Waiting = tuple[Sequence[Ask], "asyncio.Future[list[PositionedDecision | None]]"]


class Decider:
    """Decides asks as they come, sharing statements between concurrent callers.

    A caller's asks join the next statement to start: if fewer than
    `max_in_flight` statements are running, one starts at once with every ask
    waiting; otherwise the asks wait for the next. No ask waits on a timer, and
    each is decided on a snapshot taken after it arrived, so read-your-writes
    holds as it does for one statement per ask.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        cache: PolicyCache,
        *,
        max_in_flight: int = 2,
        max_asks: int = 2000,
    ) -> None:
        self.pool = pool
        self.cache = cache
        self.max_in_flight = max_in_flight
        self.max_asks = max_asks
        self._waiting: list[
            tuple[Sequence[Ask], asyncio.Future[list[PositionedDecision | None]]]
        ] = []
        self._in_flight = 0

    async def decide(self, asks: Sequence[Ask]) -> list[PositionedDecision]:
        """Raises `UnknownRecipients` naming the caller's asks with an unknown recipient."""
        future: asyncio.Future[list[PositionedDecision | None]] = (
            asyncio.get_running_loop().create_future()
        )
        self._waiting.append((asks, future))
        self._start()
        decided = await future
        unknown = [i for i, d in enumerate(decided) if d is None]
        if unknown:
            raise UnknownRecipients(unknown)
        return [d for d in decided if d is not None]

    def _start(self) -> None:
        while self._waiting and self._in_flight < self.max_in_flight:
            taken: list[_Waiting] = []
            count = 0
            while self._waiting and (
                not taken or count + len(self._waiting[0][0]) <= self.max_asks
            ):
                asks, future = self._waiting.pop(0)
                taken.append((asks, future))
                count += len(asks)
            self._in_flight += 1
            asyncio.get_running_loop().create_task(self._run(taken))

    async def _run(self, taken: list[_Waiting]) -> None:
        try:
            decided = await decide_many(
                self.pool, self.cache, [a for asks, _ in taken for a in asks]
            )
        except Exception as exc:
            for _, future in taken:
                if not future.done():
                    future.set_exception(exc)
        else:
            start = 0
            for asks, future in taken:
                if not future.done():
                    future.set_result(decided[start : start + len(asks)])
                start += len(asks)
        finally:
            self._in_flight -= 1
            self._start()


def _person(rows: Sequence[asyncpg.Record], objections: list[UUID], erased: bool) -> Person:
    active: dict[UUID, Consent] = {}
    withdrawn: dict[UUID, tuple[Consent, UUID]] = {}
    for r in rows:
        if r["consent_id"] is None:
            continue
        if r["withdrawn_event_id"] is None:
            active[r["consent_id"]] = consent_row(r)
        else:
            withdrawn[r["consent_id"]] = (consent_row(r), r["withdrawn_event_id"])
    return Person(active, withdrawn, frozenset(objections), erased)


async def decide_now(
    pool: asyncpg.Pool, subject_id: str, request: FlowRequest, cache: PolicyCache | None = None
) -> PositionedDecision:
    """One decision (see `decide_many`)."""
    [decided] = await decide_many(pool, cache or PolicyCache(), [Ask(subject_id, request)])
    if decided is None:
        raise UnknownRecipients([0])
    return decided
