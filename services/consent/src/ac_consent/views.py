"""The consent view: projecting events into it, loading a person and the policies from it,
and reading as of a past time or position from the log.

The same `project` serves the consent service's own events (inside the
transaction that records them, so there is no lag window) and other
services' events (from its consumer). Decisions on the view are in `decisions.py`.

As-of reads (`as_of`) do not use the view at all: they fold the person's
stream and the policies stream from the event store, up to a time or a
position, with the rules' own `evolve` functions (the log is the record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from ac_consent import store
from ac_consent.policy import known_texts
from ac_consent_rules.rules import (
    Consent,
    Fact,
    Person,
    Policies,
    Transfer,
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
from ac_events.catalogue.streams import POLICY_STREAM, consent_stream
from ac_events.store import EventStore


async def project(conn: asyncpg.Connection, subject_id: str | None, fact: Fact) -> None:
    """Apply one recorded event to the view (idempotent)."""
    e = fact.event
    if isinstance(e, ConsentGranted) and subject_id:
        await store.insert_consent(conn, subject_id, fact.event_id, fact.at, e)
    elif isinstance(e, ConsentWithdrawn):
        await store.mark_withdrawn(conn, e.consent_id, fact.event_id, fact.at)
    elif isinstance(e, PolicyPublished):
        await store.add_policy(conn, e.policy_version, e.effective_at, e.changes)
        await store.add_policy_text(conn, e, known_texts(e), fact.event_id, fact.at)
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


def consent_row(row: asyncpg.Record) -> Consent:
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
    active = {r["consent_id"]: consent_row(r) for r in rows if r["withdrawn_event_id"] is None}
    withdrawn = {
        r["consent_id"]: (consent_row(r), r["withdrawn_event_id"])
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
    own = await events.read_stream(consent_stream(subject_id))
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
