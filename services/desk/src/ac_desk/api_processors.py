"""The register of processors' routes [B] #17: staff register, revise and retire; staff and
auditors read the whole register; anyone reads who handles which data where."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query

from ac_contracts.pagination import ListQuery, Page, page_of, read_cursor
from ac_contracts.processors import (
    ProcessorBody,
    ProcessorOut,
    PublicProcessor,
    RetirementBody,
    RevisionBody,
)
from ac_desk import processors as rules
from ac_desk.deps import Deps
from ac_desk.processors import Processor
from ac_platform.auth import Caller, Principal, require

router = APIRouter(tags=["processors"])

Staff = Depends(require(Caller.STAFF))
Reading = Depends(require(Caller.STAFF, Caller.AUDITOR))


def processor_out(p: Processor) -> ProcessorOut:
    return _out(p.terms.model_dump(), p.status, p.registered_at, p.revised_at, p.retired_at)


def _out(terms: dict[str, Any], status: str, *times: Any) -> ProcessorOut:
    fields = {k: v for k, v in terms.items() if k in ProcessorBody.model_fields}
    return ProcessorOut(**fields, status=status, registered_at=times[0], revised_at=times[1],
                        retired_at=times[2])  # fmt: skip


@router.post("/processors", status_code=201, summary="Register a processor")
async def register(deps: Deps, body: ProcessorBody, who: Principal = Staff) -> ProcessorOut:
    return processor_out(await deps.register.register(body, who.subject))


@router.post("/processors/{processor_id}/revision", summary="Revise a processor's terms")
async def revise(
    deps: Deps, processor_id: str, body: RevisionBody, who: Principal = Staff
) -> ProcessorOut:
    p = await deps.register.change(processor_id, lambda p: rules.revise(p, body, who.subject))
    return processor_out(p)


@router.post("/processors/{processor_id}/retirement", summary="Retire a processor")
async def retire(
    deps: Deps, processor_id: str, body: RetirementBody, who: Principal = Staff
) -> ProcessorOut:
    p = await deps.register.change(
        processor_id, lambda p: rules.retire(p, body.reason, who.subject)
    )
    return processor_out(p)


@router.get("/processors", summary="The whole register, retired processors included")
async def register_page(
    deps: Deps, q: Annotated[ListQuery, Query()], _: Principal = Reading
) -> Page[ProcessorOut]:
    key = read_cursor(q.cursor, 1)
    rows = await rules.listed(deps.db, str(key[0]) if key else None, q.limit + 1, False)
    return page_of(rows, q.limit, lambda r: (r["processor_id"],), lambda r: _out(
        _json(r["terms"]), r["status"], r["registered_at"], r["revised_at"], r["retired_at"]))  # fmt: skip


@router.get("/public/processors", summary="Who handles which data where (active processors)")
async def public(deps: Deps, q: Annotated[ListQuery, Query()]) -> Page[PublicProcessor]:
    key = read_cursor(q.cursor, 1)
    rows = await rules.listed(deps.db, str(key[0]) if key else None, q.limit + 1, True)
    return page_of(rows, q.limit, lambda r: (r["processor_id"],),
                   lambda r: PublicProcessor.model_validate(_json(r["terms"])))  # fmt: skip


def _json(value: Any) -> dict[str, Any]:
    found: dict[str, Any] = orjson.loads(value) if isinstance(value, str | bytes) else value
    return found
