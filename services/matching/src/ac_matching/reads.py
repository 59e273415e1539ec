"""Reads of applications and provisions as their readers may see them.

An organisation reads what an application sent it only while the student allows it:
`domain.access` decides, on the application's state, the erasure of the copy, and the
consent service's decision now for the same flow (`client_application` to the
organisation, in its country, for the items sent, naming the sensitive categories sent).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from ac_contracts.matching import ClientApplication, ClientApplicationDetail, StatusChange
from ac_events.catalogue import ApplicationState, Purpose
from ac_events.sealing import unseal
from ac_matching import store, store_applications
from ac_matching.commands import SERVICE
from ac_matching.deps import MatchingDeps
from ac_matching.domain import Access, access


async def _ask(deps: MatchingDeps, row: Any) -> dict[str, Any]:
    org = await store.organisation(deps.db, row["organization_id"])
    return {"subject_id": row["subject_id"], "purpose": Purpose.CLIENT_APPLICATION.value,
            "recipient": row["organization_id"], "region": org["country"] if org else "JP",
            "data_categories": list(row["data_items"]),
            "sensitive_categories": list(row["sensitive_items"])}  # fmt: skip


async def accesses(deps: MatchingDeps, rows: Sequence[Any]) -> list[Access]:
    """Each application's access now, asking the consent service once for the page."""
    asking = [r for r in rows if r["state"] != ApplicationState.WITHDRAWN and not r["erased"]]
    decisions = await deps.provisions.consent.decide_many([await _ask(deps, r) for r in asking])
    by_id = {r["application_id"]: d for r, d in zip(asking, decisions, strict=True)}
    return [access(ApplicationState(r["state"]), bool(r["erased"]), by_id.get(r["application_id"]))
            for r in rows]  # fmt: skip


def client_application(row: Any, a: Access) -> ClientApplication:
    return ClientApplication(application_id=row["application_id"], vacancy_id=row["vacancy_id"],
                             state=row["state"], submitted_at=row["created_at"],
                             updated_at=row["updated_at"], access=a,
                             disclosure_id=row["disclosure_id"], data_items=row["data_items"])  # fmt: skip


async def history(deps: MatchingDeps, row: Any) -> list[StatusChange]:
    steps = (await store_applications.history(deps.db, [row["application_id"]])).get(
        row["application_id"], []
    )
    key = await deps.keyring.key_for(row["subject_id"]) if steps else None
    field = f"message:{row['application_id']}"
    out = []
    for s in steps:
        message = None
        if s["message_sealed"] and isinstance(key, bytes):
            message = unseal(key, SERVICE, row["subject_id"], field, s["message_sealed"])
        out.append(StatusChange(at=s["at"], from_state=s["from_state"], to_state=s["to_state"],
                                by_role=s["by_role"], message=message))  # fmt: skip
    return out


async def _snapshot(deps: MatchingDeps, subject_id: str, sealed: str | None) -> Any:
    key = await deps.keyring.key_for(subject_id)
    if sealed is None or not isinstance(key, bytes):
        return None
    return orjson.loads(unseal(key, SERVICE, subject_id, "snapshot", sealed))


async def client_detail(deps: MatchingDeps, row: Any) -> ClientApplicationDetail:
    (a,) = await accesses(deps, [row])
    data = None
    if a == "available":
        disclosure = await store.disclosure_to(deps.db, row["organization_id"],
                                               row["disclosure_id"])  # fmt: skip
        data = await _snapshot(
            deps, row["subject_id"], disclosure and disclosure["snapshot_sealed"]
        )
    return ClientApplicationDetail(**client_application(row, a).model_dump(),
                                   history=await history(deps, row), data=data)  # fmt: skip


async def provided(deps: MatchingDeps, disclosure: Any) -> tuple[Access, Any]:
    """A recipient's read of one provision: its access and the data (None unless available).
    For an application, only while the student allows it."""
    a: Access = "available" if disclosure["snapshot_sealed"] else "erased"
    if disclosure["application_id"] is not None and a == "available":
        row = await store_applications.application(deps.db, disclosure["application_id"])
        if row is not None:
            (a,) = await accesses(deps, [row])
    if a != "available":
        return a, None
    return a, await _snapshot(deps, disclosure["subject_id"], disclosure["snapshot_sealed"])
