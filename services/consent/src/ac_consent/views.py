"""The consent view: projecting events into it, and reading decisions from it.

The same `project` serves the consent service's own events (inside the
transaction that records them, so there is no lag window) and other
services' events (from its consumers).

Decisions read one statement (`store.decision_inputs`: one snapshot) and
name the versions of the two streams it saw (`ViewPosition`). The policies
change rarely, so they are cached per version of their stream; the statement
returns that version, and a decision never runs on policies of another one.

As-of reads (`as_of`) do not use the view at all: they fold the person's
stream and the policies stream from the event store, up to a time or a
position, with the same `evolve` functions (the log is the record).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from ac_consent import store
from ac_consent.domain import (
    Consent,
    Decision,
    Fact,
    FlowRequest,
    Person,
    Policies,
    Transfer,
    decide_flow,
    evolve_person,
    evolve_policies,
)
from ac_events.catalogue import (
    BusinessTransferAnnounced,
    ClientOrganizationRegistered,
    ConsentGranted,
    ConsentWithdrawn,
    CountryNoticePublished,
    DataCategory,
    DataShared,
    PolicyPublished,
    Purpose,
    SensitiveCategory,
    SubjectErased,
    TransferObjected,
    ViewPosition,
)
from ac_events.store import EventStore

POLICY_STREAM = "policies"
"""Staff's policy versions and business transfers."""
NOTICE_STREAM = "country-notices"
"""The country notices people are shown (kept apart: they do not change decisions)."""


def subject_stream(subject_id: str) -> str:
    """One stream per person: their consents and objections."""
    return f"consent-{subject_id}"


async def project(conn: asyncpg.Connection, subject_id: str | None, fact: Fact) -> None:
    """Apply one recorded event to the view (idempotent)."""
    e = fact.event
    if isinstance(e, ConsentGranted) and subject_id:
        await store.insert_consent(conn, subject_id, fact.event_id, fact.at, e)
    elif isinstance(e, ConsentWithdrawn):
        await store.mark_withdrawn(conn, e.consent_id, fact.event_id, fact.at)
    elif isinstance(e, PolicyPublished):
        await store.add_policy(conn, e.policy_version, e.effective_at, e.changes)
    elif isinstance(e, BusinessTransferAnnounced):
        purposes = [p.value for p in e.purposes]
        await store.add_transfer(conn, e.transfer_id, e.acquirer, purposes, e.opt_out_deadline)
    elif isinstance(e, TransferObjected) and subject_id:
        await store.add_objection(conn, subject_id, e.transfer_id)
    elif isinstance(e, SubjectErased) and subject_id:
        await store.mark_erased(conn, subject_id, fact.at)
    elif isinstance(e, CountryNoticePublished):
        await store.add_country_notice(conn, e, fact.event_id, fact.at)
    elif isinstance(e, ClientOrganizationRegistered):
        await store.add_organisation(conn, e.organization_id, e.legal_name, e.country, fact.at)
    elif isinstance(e, DataShared) and subject_id:
        await store.add_disclosure(conn, subject_id, e)


# Enum lookups by value, without the enum constructor's cost on the hot path.
_PURPOSES = {p.value: p for p in Purpose}
_CATEGORIES = {c.value: c for c in DataCategory}
_SENSITIVE = {c.value: c for c in SensitiveCategory}


def _consent(row: asyncpg.Record) -> Consent:
    return Consent(
        consent_id=row["consent_id"],
        event_id=row["granted_event_id"],
        purpose=_PURPOSES[row["purpose"]],
        recipient=row["recipient"],
        region=row["region"],
        data_categories=frozenset(_CATEGORIES[c] for c in row["data_categories"]),
        sensitive_categories=frozenset(_SENSITIVE[c] for c in row["sensitive_categories"]),
        policy_version=row["policy_version"],
        since=row["granted_at"],
    )


async def load_person(conn: asyncpg.Connection, subject_id: str) -> Person:
    rows, objections, erased = await store.person_rows(conn, subject_id)
    active = {r["consent_id"]: _consent(r) for r in rows if r["withdrawn_event_id"] is None}
    withdrawn = {
        r["consent_id"]: (_consent(r), r["withdrawn_event_id"])
        for r in rows
        if r["withdrawn_event_id"] is not None
    }
    return Person(active, withdrawn, frozenset(objections), erased)


async def load_policies(conn: asyncpg.Connection) -> Policies:
    versions, significant, transfers = await store.policy_rows(conn)
    return Policies(
        ranks={r["policy_version"]: r["rank"] for r in versions},
        significant_since={Purpose(r["purpose"]): r["rank"] for r in significant},
        transfers={
            r["transfer_id"]: Transfer(
                r["transfer_id"],
                r["acquirer"],
                frozenset(Purpose(p) for p in r["purposes"]),
                r["opt_out_deadline"],
            )
            for r in transfers
        },
    )


# ---------------------------------------------------------------- decisions


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
        [subject_stream(s) for s in subjects],
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
            active[r["consent_id"]] = _consent(r)
        else:
            withdrawn[r["consent_id"]] = (_consent(r), r["withdrawn_event_id"])
    return Person(active, withdrawn, frozenset(objections), erased)


async def decide_now(
    pool: asyncpg.Pool, subject_id: str, request: FlowRequest, cache: PolicyCache | None = None
) -> PositionedDecision:
    """One decision (see `decide_many`)."""
    [decided] = await decide_many(pool, cache or PolicyCache(), [Ask(subject_id, request)])
    if decided is None:
        raise UnknownRecipients([0])
    return decided


# ---------------------------------------------------------------- as of, from the log


@dataclass(frozen=True, slots=True)
class Recorded:
    """A person's state folded from the log, and where the fold stopped."""

    policies: Policies
    person: Person
    position: ViewPosition
    history: tuple[Fact, ...]
    """The person's own consent events up to that point."""


async def as_of(
    events: EventStore,
    subject_id: str,
    *,
    at: datetime | None = None,
    subject_version: int | None = None,
    policies_version: int | None = None,
) -> Recorded:
    """The person and the policies as the log says they were at a time and/or position.

    Events count when recorded no later than `at` and within the given stream
    versions (a `ViewPosition`). An erasure (an identity fact) counts from its time.
    """
    own = await events.read_stream(subject_stream(subject_id))
    staff = await events.read_stream(POLICY_STREAM)

    def kept(env_version: int, occurred: datetime, limit: int | None) -> bool:
        return (limit is None or env_version <= limit) and (at is None or occurred <= at)

    person, policies = Person(), Policies()
    history: list[Fact] = []
    subject_limit, policies_limit = subject_version, policies_version
    subject_version = policies_version = 0  # from here on: where the fold stopped
    for env in staff:
        if kept(env.stream_version, env.occurred_at, policies_limit):
            policies = evolve_policies(policies, Fact(env.event_id, env.occurred_at, env.payload))
            policies_version = env.stream_version
    for env in own:
        if kept(env.stream_version, env.occurred_at, subject_limit):
            fact = Fact(env.event_id, env.occurred_at, env.payload)
            person = evolve_person(person, fact)
            history.append(fact)
            subject_version = env.stream_version
    async with events.pool.acquire() as conn:
        erased = await store.erased_at(conn, subject_id)
    if erased is not None and (at is None or erased <= at):
        person = evolve_person(person, Fact(UUID(int=0), erased, SubjectErased()))
    return Recorded(
        policies,
        person,
        ViewPosition(subject_version=subject_version, policies_version=policies_version),
        tuple(history),
    )
