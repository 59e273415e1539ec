"""Recipients told of corrections and erasure [D] #16 (APPI art. 34(3)'s spirit: a client
holding data that was corrected or erased should not keep the old).

When identity says a person corrected a field (`ProfileUpdated`) or asked to be erased
(`ErasureRequested`), every client whose provisions included that data gets a notice,
kept in `recipient_notices` in the consumer's transaction (`note_change`,
`note_erasure`). The `Recipients` worker then tells each: a corrected value goes with
the notice only if the consent service allows giving it to that client now, and then it
is a provision of its own (`DataShared`, with the decision); the notice is recorded as
`RecipientNotified` (notifications emails the client's users).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from ac_events.catalogue import (
    DataCategory,
    DecisionReason,
    DecisionRef,
    Purpose,
    RecipientNotified,
    ResumeContent,
)
from ac_events.catalogue.consent import ViewPosition
from ac_events.keyring import KeyDestroyed
from ac_events.sealing import unseal
from ac_matching import store
from ac_matching.commands import SERVICE, Provisions
from ac_matching.domain import snapshot

FIELDS = {DataCategory.NAME: "name", DataCategory.CONTACT: "email",
          DataCategory.SCHOOL: "school", DataCategory.GENDER: "gender"}  # fmt: skip
"""The profile fields a provision may carry, by the category they are provided as."""
CATEGORY = {field: category for category, field in FIELDS.items()}
BATCH = 100
log = logging.getLogger(__name__)


async def _note(
    conn: asyncpg.Connection, subject_id: str, change: str, items: set[DataCategory] | None
) -> int:
    """A notice per client whose provisions carried `items` (None: anything)."""
    per_org: dict[str, tuple[set[str], list[uuid.UUID]]] = defaultdict(lambda: (set(), []))
    for row in await store.disclosures_of(conn, subject_id):
        given = {DataCategory(i) for i in orjson.loads(row["record"])["data_items"]}
        concerned = given if items is None else given & items
        if concerned:
            names, ids = per_org[row["organization_id"]]
            names.update(c.value for c in concerned)
            ids.append(row["disclosure_id"])
    for org, (names, ids) in per_org.items():
        await store.add_notice(conn, uuid.uuid4(), subject_id, org, change, sorted(names), ids)
    return len(per_org)


async def note_change(conn: asyncpg.Connection, subject_id: str, fields: set[str]) -> int:
    return await _note(
        conn, subject_id, "corrected", {CATEGORY[f] for f in fields if f in CATEGORY}
    )


async def note_erasure(conn: asyncpg.Connection, subject_id: str) -> int:
    return await _note(conn, subject_id, "erased", None)


class Recipients:
    """Tells the notices kept; one transaction each, with what it records."""

    def __init__(self, provisions: Provisions) -> None:
        self.provisions = provisions
        self.pool = provisions.pool

    async def tell_due(self) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await store.pending_notices(conn, BATCH)
            for row in rows:
                try:
                    await self._tell(conn, row)
                except KeyDestroyed:  # a notice carrying values for an erased person: there is
                    # no key to seal them under (`_give` gives none once the key is gone, so this
                    # is a defect); one notice must not hold back every other one.
                    log.error("recipient notice %s: the person's key is gone", row["notice_id"])
                    await store.notice_told(conn, row["notice_id"], datetime.now(UTC))
        return len(rows)

    async def _tell(self, conn: asyncpg.Connection, row: asyncpg.Record) -> None:
        subject, org_id = row["subject_id"], row["organization_id"]
        items = tuple(DataCategory(i) for i in row["items"])
        values: dict[str, str] | None = None
        provision_id = None
        if row["change"] == "corrected":
            given = await self._give(conn, subject, org_id, items)
            if given is not None:
                values, provision_id = given
        notice = RecipientNotified(organization_id=org_id, disclosure_ids=tuple(row["disclosure_ids"]),
                                   change=row["change"], items=items, values=values,
                                   provision_id=provision_id)  # fmt: skip
        await self.provisions._append(conn, subject, [notice])
        await store.notice_told(conn, row["notice_id"], datetime.now(UTC))

    async def _give(
        self, conn: asyncpg.Connection, subject: str, org_id: str, items: tuple[DataCategory, ...]
    ) -> tuple[dict[str, str], uuid.UUID] | None:
        """The corrected values, if the person's consent covers giving them to the client now
        (recorded as a provision of its own); else None."""
        key = await self.provisions.keyring.key_for(subject)
        sealed = await store.person(conn, subject)
        org = await store.organisation(conn, org_id)
        if not isinstance(key, bytes) or sealed is None or org is None:
            return None
        details: dict[str, Any] = orjson.loads(unseal(key, SERVICE, subject, "details", sealed))
        values = {FIELDS[i]: str(details[FIELDS[i]]) for i in items if details.get(FIELDS[i])}
        if not values:
            return None
        decision = await self.provisions.consent.decide({
            "subject_id": subject, "purpose": Purpose.CLIENT_APPLICATION.value,
            "recipient": org_id, "region": org["country"], "data_categories": [i.value for i in items],
        })  # fmt: skip
        if decision["decision"] != "allow":
            return None
        ref = DecisionRef(reason=DecisionReason(decision["reason"]),
                          consent_event_ids=tuple(decision["consent_event_ids"]),
                          position=ViewPosition(**decision["position"]))  # fmt: skip
        snap = snapshot(items, details, ResumeContent())
        shared = self.provisions._shared(org, items, [], snap, decision=ref)
        await self.provisions._record(conn, subject, key, snap, shared, before=[])
        return values, shared.disclosure_id
