"""A person's routes of the desk -> commands and reads (staff's: `api_staff.py`).

A signed-in person files a request of any kind, follows it (its verification,
answers and thread) and writes in its thread; a disclosure, once answered, is
downloaded through the gateway (`disclosure-grant` says it may be). Anyone,
without an account, may open a complaint or an enquiry (`/enquiries`).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Request

from ac_contracts.common import SubjectId
from ac_contracts.desk import (
    CodeSent,
    DisclosureGrant,
    GuestBody,
    GuestFiled,
    MessageBody,
    RequestBody,
    RequestListed,
    RequestOut,
    VerificationBody,
)
from ac_contracts.errors import Refused
from ac_contracts.pagination import ListQuery, Page, newest_after, newest_key, page_of
from ac_desk import domain
from ac_desk import store as sql
from ac_desk.deps import Deps
from ac_desk.domain import File
from ac_desk.views import listed, request_out
from ac_platform.auth import Caller, Principal, require

router = APIRouter(tags=["requests"])

Person = Depends(require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR))


def _own(principal: Principal, subject_id: str) -> None:
    if principal.subject != subject_id:
        raise Refused("not_your_data", "a person's requests are theirs alone")


def _bearer(request: Request) -> str | None:
    return request.headers.get("authorization")


@router.post("/subjects/{subject_id}/requests", status_code=201,
             summary="File a request: disclosure, correction, addition, deletion, cessation of "
             "use or of provision, erasure, or a complaint or an enquiry")  # fmt: skip
async def file(
    deps: Deps, request: Request, subject_id: SubjectId, body: RequestBody,
    principal: Principal = Person,
) -> RequestOut:  # fmt: skip
    _own(principal, subject_id)
    command = File(request_id=uuid4(), **body.model_dump())
    case = await deps.desk.file(subject_id, command, _bearer(request))
    return request_out(case, deps.desk.clock(), deps.desk.rules)


@router.get("/subjects/{subject_id}/requests", summary="My requests, newest first")
async def mine(
    deps: Deps, subject_id: SubjectId, q: Annotated[ListQuery, Query()],
    principal: Principal = Person,
) -> Page[RequestListed]:  # fmt: skip
    _own(principal, subject_id)
    now = deps.desk.clock()
    rows = await sql.of_subject(deps.db, subject_id, newest_after(q.cursor), q.limit + 1)
    return page_of(rows, q.limit, lambda r: newest_key(r["filed_at"], r["request_id"]),
                   lambda r: listed(r, now))  # fmt: skip


@router.get("/subjects/{subject_id}/requests/{request_id}",
            summary="One of my requests: its verification, due date, answers and thread")  # fmt: skip
async def one(
    deps: Deps, subject_id: SubjectId, request_id: UUID, principal: Principal = Person
) -> RequestOut:
    _own(principal, subject_id)
    case = await deps.desk.own(request_id, subject_id)
    return request_out(case, deps.desk.clock(), deps.desk.rules)


@router.post("/subjects/{subject_id}/requests/{request_id}/verification",
             summary="Step-up verification: my password again and the code emailed to me")  # fmt: skip
async def verify(
    deps: Deps, request: Request, subject_id: SubjectId, request_id: UUID,
    body: VerificationBody, principal: Principal = Person,
) -> RequestOut:  # fmt: skip
    _own(principal, subject_id)
    case = await deps.desk.verify(request_id, subject_id, body.password, body.code,
                                  _bearer(request))  # fmt: skip
    return request_out(case, deps.desk.clock(), deps.desk.rules)


@router.post("/subjects/{subject_id}/requests/{request_id}/code", status_code=201,
             summary="Send me a new verification code (the last one expired or was used up)")  # fmt: skip
async def code(
    deps: Deps, subject_id: SubjectId, request_id: UUID, principal: Principal = Person
) -> CodeSent:
    _own(principal, subject_id)
    case = await deps.desk.new_code(request_id, subject_id)
    assert case.code_expires_at is not None
    return CodeSent(number=case.codes, expires_at=case.code_expires_at)


@router.post("/subjects/{subject_id}/requests/{request_id}/messages", status_code=201,
             summary="Write in my request's thread")  # fmt: skip
async def write(
    deps: Deps, subject_id: SubjectId, request_id: UUID, body: MessageBody,
    principal: Principal = Person,
) -> RequestOut:  # fmt: skip
    _own(principal, subject_id)
    await deps.desk.own(request_id, subject_id)
    case = await deps.desk.record(request_id, lambda c: domain.post(c, uuid4(), body.body, None))
    return request_out(case, deps.desk.clock(), deps.desk.rules)


@router.get("/subjects/{subject_id}/requests/{request_id}/disclosure-grant",
            summary="Whether my answered disclosure may be downloaded now, and until when")  # fmt: skip
async def disclosure_grant(
    deps: Deps, subject_id: SubjectId, request_id: UUID, principal: Principal = Person
) -> DisclosureGrant:
    _own(principal, subject_id)
    case = await deps.desk.own(request_id, subject_id)
    until = domain.disclosure_until(case, deps.desk.clock(), deps.desk.rules)
    assert case.verified_at is not None
    return DisclosureGrant(request_id=request_id, verified_at=case.verified_at,
                           available_until=until)  # fmt: skip


@router.post("/enquiries", status_code=201, tags=["enquiries"],
             summary="A complaint or an enquiry without an account: answered by email")  # fmt: skip
async def guest(deps: Deps, body: GuestBody) -> GuestFiled:
    command = File(request_id=uuid4(), kind=body.kind, language=body.language, account=False,
                   title=body.title, details=body.message, reply_to=str(body.email))  # fmt: skip
    case = await deps.desk.file_for_guest(command)
    return GuestFiled(request_id=case.request_id)
