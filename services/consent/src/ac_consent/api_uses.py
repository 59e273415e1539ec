"""[E] #18: a person's page shows the uses of their data too, beside the disclosures: each
score against a vacancy and each message sent, with the purpose it served and the decision
(reason, consent event ids, view position) or the basis behind it, newest first, by purpose.
"""

from __future__ import annotations

from typing import Annotated

import asyncpg
import orjson
from fastapi import APIRouter, Query

from ac_consent import store as sql
from ac_consent.api import Reader, _may_read
from ac_consent.deps import Deps
from ac_contracts.common import SubjectId
from ac_contracts.consent import UseOut, UsesPage, UsesQuery
from ac_contracts.pagination import newest_after, newest_key, page_of
from ac_events.catalogue import DecisionRef, Purpose, UseBasis
from ac_platform.auth import Principal

router = APIRouter()


def _use(row: asyncpg.Record) -> UseOut:
    decision = row["decision"]
    return UseOut(
        event_id=row["event_id"],
        used_at=row["used_at"],
        what=row["what"],
        purpose=Purpose(row["purpose"]) if row["purpose"] else None,
        basis=UseBasis(row["basis"]),
        decision=DecisionRef.model_validate(orjson.loads(decision)) if decision else None,
    )


@router.get("/subjects/{subject_id}/uses", tags=["consents"],
            summary="The uses of a person's data by purpose, with the decision behind each")  # fmt: skip
async def uses(
    deps: Deps,
    subject_id: SubjectId,
    q: Annotated[UsesQuery, Query()],
    principal: Principal = Reader,
) -> UsesPage:
    _may_read(principal, subject_id)
    purpose = q.purpose.value if q.purpose else None
    async with deps.db.acquire() as conn:
        rows = await sql.uses_of(conn, subject_id, purpose, newest_after(q.cursor), q.limit)
        counts = await sql.uses_by_purpose(conn, subject_id)
    page = page_of(rows, q.limit, lambda r: newest_key(r["used_at"], r["event_id"]), _use)
    return UsesPage(items=page.items, next_cursor=page.next_cursor, by_purpose=counts)
