"""HTTP routes of the resumes service: a student's own CV -> the commands of `commands.py`.

`POST /subjects/{id}/resume` submits a CV, `PUT` revises it, `DELETE` deletes it,
`GET` reads it: the person only (their token's subject). A CV revealing a special
care-required category is refused with 422 `sensitive_data` naming the
categories, unless the person volunteers them (`volunteer`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from ac_contracts.common import SubjectId
from ac_contracts.errors import Refused
from ac_contracts.resumes import ResumeBody, ResumeOut
from ac_platform.auth import Caller, Principal, require
from ac_resumes import commands
from ac_resumes.deps import Deps

router = APIRouter()

Student = Depends(require(Caller.STUDENT))


def _self(principal: Principal, subject_id: str) -> None:
    if principal.subject != subject_id:
        raise Refused("not_your_data", "only your own CV")


def _bearer(request: Request) -> str:
    return request.headers.get("authorization", "")


@router.post("/subjects/{subject_id}/resume", status_code=201, tags=["resumes"],
             summary="Submit my CV (refused with 422 if it reveals sensitive data not volunteered)")  # fmt: skip
async def submit(
    deps: Deps, request: Request, subject_id: SubjectId, body: ResumeBody,
    principal: Principal = Student,
) -> ResumeOut:  # fmt: skip
    _self(principal, subject_id)
    return await commands.write(deps, subject_id, body, new=True, bearer=_bearer(request))


@router.put("/subjects/{subject_id}/resume", tags=["resumes"], summary="Revise my CV")
async def revise(
    deps: Deps, request: Request, subject_id: SubjectId, body: ResumeBody,
    principal: Principal = Student,
) -> ResumeOut:  # fmt: skip
    _self(principal, subject_id)
    return await commands.write(deps, subject_id, body, new=False, bearer=_bearer(request))


@router.get("/subjects/{subject_id}/resume", tags=["resumes"], summary="My CV")
async def read(deps: Deps, subject_id: SubjectId, principal: Principal = Student) -> ResumeOut:
    _self(principal, subject_id)
    return await commands.read(deps, subject_id)


@router.delete("/subjects/{subject_id}/resume", status_code=204, tags=["resumes"],
               summary="Delete my CV")  # fmt: skip
async def delete(deps: Deps, subject_id: SubjectId, principal: Principal = Student) -> Response:
    _self(principal, subject_id)
    await commands.delete(deps, subject_id)
    return Response(status_code=204)
