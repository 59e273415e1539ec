"""Staff's routes of the desk: the queue by due date, a request, filing one made by post
or phone, assigning, answering (and carrying out), the thread, closing, the report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query

from ac_contracts.desk import (
    AnswerBody,
    AssignmentBody,
    MessageBody,
    QueueQuery,
    Report,
    RequestListed,
    RequestOut,
    StaffFiledBody,
)
from ac_contracts.errors import Refused
from ac_contracts.pagination import Page, page_of, read_cursor
from ac_desk import domain
from ac_desk import store as sql
from ac_desk.deps import Deps
from ac_desk.domain import File, StaffVerification
from ac_desk.views import listed, report, request_out
from ac_platform.auth import Caller, Principal, require

router = APIRouter(tags=["staff"])

Staff = Depends(require(Caller.STAFF))


@router.get("/queue", summary="The desk's queue, soonest due first, with filters")
async def queue(
    deps: Deps, query: Annotated[QueueQuery, Query()], _: Principal = Staff
) -> Page[RequestListed]:
    now = deps.desk.clock()
    rows = await sql.queue(deps.db, now, kind=query.kind, status=query.status,
                           overdue=query.overdue, assignee=query.assignee,
                           after=_queue_after(query.cursor), limit=query.limit + 1)  # fmt: skip
    return page_of(rows, query.limit, lambda r: (r["due_key"].isoformat(), r["filed_at"].isoformat(),
                   str(r["request_id"])), lambda r: listed(r, now))  # fmt: skip


def _queue_after(cursor: str | None) -> tuple[datetime, datetime, UUID] | None:
    key = read_cursor(cursor, 3)
    if key is None:
        return None
    try:
        return datetime.fromisoformat(key[0]), datetime.fromisoformat(key[1]), UUID(key[2])
    except (TypeError, ValueError) as exc:
        raise Refused("bad_cursor", "this cursor is not one of this list") from exc


@router.get("/requests/{request_id}", summary="A request, with what the person wrote, its "
            "verification, answers and thread")  # fmt: skip
async def one(deps: Deps, request_id: UUID, _: Principal = Staff) -> RequestOut:
    case = await deps.desk.load(request_id)
    if case is None:
        raise Refused("no_such_request", "no such request")
    return request_out(case, deps.desk.clock(), deps.desk.rules)


@router.post("/requests", status_code=201, summary="File a request made by post, phone or in "
             "person, with how the person's identity was verified")  # fmt: skip
async def file(deps: Deps, body: StaffFiledBody, principal: Principal = Staff) -> RequestOut:
    if not isinstance(await deps.keyring.key_for(body.subject_id), bytes):
        raise Refused("unknown_person", "nobody by that id has an account (or they were erased)")
    fields = body.model_dump(exclude={"subject_id", "channel", "verification"})
    v = body.verification
    staff = StaffVerification(method=v.method, document=v.document, staff=principal.subject)
    command = File(request_id=uuid4(), channel=body.channel, staff=staff, **fields)
    case = await deps.desk.file(body.subject_id, command)
    return request_out(case, deps.desk.clock(), deps.desk.rules)


@router.post("/requests/{request_id}/assignment", summary="Assign a request (to myself by default)")
async def assign(
    deps: Deps, request_id: UUID, body: AssignmentBody, principal: Principal = Staff
) -> RequestOut:
    assignee = body.assignee or principal.subject
    case = await deps.desk.record(
        request_id, lambda c: domain.assign(c, assignee, principal.subject)
    )
    return request_out(case, deps.desk.clock(), deps.desk.rules)


@router.post("/requests/{request_id}/answer", summary="Answer a request (carrying out a granted "
             "one); the answer is emailed to the person and kept on their page")  # fmt: skip
async def answer(
    deps: Deps, request_id: UUID, body: AnswerBody, principal: Principal = Staff
) -> RequestOut:
    case = await deps.desk.answer(request_id, principal.subject, body.outcome, body.reason,
                                  body.apply)  # fmt: skip
    return request_out(case, deps.desk.clock(), deps.desk.rules)


@router.post("/requests/{request_id}/messages", status_code=201,
             summary="Reply in a request's thread (emailed to the person)")  # fmt: skip
async def write(
    deps: Deps, request_id: UUID, body: MessageBody, principal: Principal = Staff
) -> RequestOut:
    case = await deps.desk.record(
        request_id, lambda c: domain.post(c, uuid4(), body.body, principal.subject)
    )
    return request_out(case, deps.desk.clock(), deps.desk.rules)


@router.post("/requests/{request_id}/close", summary="Close a request (a complaint or an "
             "enquiry once its thread is done)")  # fmt: skip
async def close(deps: Deps, request_id: UUID, principal: Principal = Staff) -> RequestOut:
    case = await deps.desk.record(request_id, lambda c: domain.close(c, principal.subject))
    return request_out(case, deps.desk.clock(), deps.desk.rules)


@router.get("/report", summary="Per month: requests by kind, median and worst time to answer, "
            "and how many were overdue")  # fmt: skip
async def monthly(deps: Deps, _: Principal = Staff) -> Report:
    rows = await sql.for_report(deps.db, deps.desk.clock())
    return report(rows, deps.settings.target_days)
