"""The consent view: projecting events into it, and reading decisions from it.

The same `project` serves the consent service's own events (inside the
transaction that records them, so there is no lag window) and other
services' events (from its consumers).
"""

from __future__ import annotations

from dataclasses import dataclass

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
)
from ac_events.catalogue import (
    BusinessTransferAnnounced,
    ConsentGranted,
    ConsentWithdrawn,
    DataCategory,
    PolicyPublished,
    Purpose,
    SensitiveCategory,
    SubjectErased,
    TransferObjected,
)


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


def _consent(row: asyncpg.Record) -> Consent:
    return Consent(
        consent_id=row["consent_id"],
        event_id=row["granted_event_id"],
        purpose=Purpose(row["purpose"]),
        recipient=row["recipient"],
        region=row["region"],
        data_categories=frozenset(DataCategory(c) for c in row["data_categories"]),
        sensitive_categories=frozenset(SensitiveCategory(c) for c in row["sensitive_categories"]),
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


@dataclass(frozen=True, slots=True)
class PositionedDecision:
    decision: Decision
    position: int
    """The view position the decision was made on (cited by `DataShared`)."""


async def decide_now(
    pool: asyncpg.Pool, subject_id: str, request: FlowRequest
) -> PositionedDecision:
    """Decide on one snapshot of the view: the person, the policies and the position agree."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        policies = await load_policies(conn)
        person = await load_person(conn, subject_id)
        position = await store.view_position(conn)
    return PositionedDecision(decide_flow(policies, person, request), position)
