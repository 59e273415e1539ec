"""HTTP routes of the resumes service: a student's own CV, and the sensitive-data guard.

- `POST /subjects/{id}/resume` submits a CV, `PUT` revises it, `DELETE` deletes
  it, `GET` reads it: the person only (their token's subject).
- A CV whose text (structured parts, free text, the PDF's text) reveals a
  special care-required category is refused with 422 `sensitive_data` naming
  the categories, unless the person volunteers them (`volunteer`): then the
  consent service records their consent to acquire them (with their own
  token: it is their act) and `SensitiveDataDeclared` is appended with the CV.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Annotated
from uuid import UUID

import httpx
import orjson
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ac_events.catalogue import (
    Purpose,
    ResumeContent,
    ResumeDeleted,
    ResumeRevised,
    ResumeSubmitted,
    SensitiveDataDeclared,
)
from ac_events.catalogue.base import Event
from ac_events.catalogue.vocab import SensitiveCategory
from ac_events.keyring import Keyring
from ac_events.sealing import seal, unseal
from ac_events.store import ANY_VERSION, EventStore
from ac_platform.auth import Caller, Principal, require
from ac_platform.service import resources
from ac_resumes import store
from ac_resumes.domain import Cv, all_text, next_revision, undeclared
from ac_resumes.pdf import BadPdf, extract_text
from ac_resumes.sensitive import detect

router = APIRouter()

Student = Depends(require(Caller.STUDENT))
SubjectId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
Line = Annotated[str, Field(min_length=1, max_length=500)]
Lines = Annotated[list[Line], Field(max_length=50)]
SERVICE = "resumes"
MAX_PDF_BASE64 = 700_000
"""About 512 KiB of PDF, inside the gateway's 1 MiB body limit."""


def stream(subject_id: str) -> str:
    return f"resume-{subject_id}"


class Volunteering(BaseModel):
    """Special care-required categories the person chooses to give, under the policy shown."""

    model_config = ConfigDict(extra="forbid")
    categories: list[SensitiveCategory] = Field(min_length=1, max_length=7)
    policy_version: str = Field(min_length=1, max_length=40)


class ResumeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    education: Lines = Field(default_factory=list)
    experience: Lines = Field(default_factory=list)
    skills: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=100
    )
    languages: Lines = Field(default_factory=list)
    desired_roles: Lines = Field(default_factory=list)
    desired_locations: Lines = Field(default_factory=list)
    free_text: str = Field(default="", max_length=20_000)
    pdf_base64: str | None = Field(default=None, max_length=MAX_PDF_BASE64)
    """An optional PDF of the CV (base64); its text is extracted and checked like the rest."""
    volunteer: Volunteering | None = None


class ResumeOut(BaseModel):
    resume_id: UUID
    revision: int
    has_pdf: bool
    updated_at: datetime
    declared_sensitive: list[SensitiveCategory]
    content: ResumeContent


def _self(principal: Principal, subject_id: str) -> None:
    if principal.subject != subject_id:
        raise Refused("not_your_data", "only your own CV")


async def _key(request: Request, subject_id: str) -> bytes:
    keyring: Keyring = resources(request).extras["keyring"]  # type: ignore[assignment]
    key = await keyring.key_for(subject_id)  # unreachable: the skeleton's 503
    if not isinstance(key, bytes):
        raise Refused("erased", "this person has been erased")
    return key


def _content(body: ResumeBody) -> ResumeContent:
    pdf_text = None
    if body.pdf_base64 is not None:
        try:
            pdf_text = extract_text(base64.b64decode(body.pdf_base64, validate=True))
        except (binascii.Error, ValueError) as exc:
            message = str(exc) if isinstance(exc, BadPdf) else "pdf_base64 is not base64"
            raise Refused("bad_pdf", message) from exc
    return ResumeContent(
        education=tuple(body.education),
        experience=tuple(body.experience),
        skills=tuple(body.skills),
        languages=tuple(body.languages),
        desired_roles=tuple(body.desired_roles),
        desired_locations=tuple(body.desired_locations),
        free_text=body.free_text,
        pdf_text=pdf_text,
    )


async def _consent_to_acquire(request: Request, subject_id: str, v: Volunteering) -> None:
    """The person's consent to acquire what they volunteer, recorded by the consent service."""
    consent: httpx.AsyncClient = resources(request).extras["consent_http"]  # type: ignore[assignment]
    grant = {
        "purpose": Purpose.RECRUITMENT_SERVICES.value,
        "sensitive_categories": [c.value for c in v.categories],
        "policy_version": v.policy_version,
        "channel": "resume_form",
    }
    try:
        r = await consent.post(
            f"/subjects/{subject_id}/consents",
            json=grant,
            headers={"authorization": request.headers.get("authorization", "")},
        )
    except httpx.HTTPError as exc:
        raise Refused("consent_unavailable", "try again later") from exc
    if 400 <= r.status_code < 500:
        raise HTTPException(r.status_code, r.json().get("detail"))
    if r.status_code >= 500:
        raise Refused("consent_unavailable", "try again later")


async def _write(request: Request, subject_id: str, body: ResumeBody, *, new: bool) -> ResumeOut:
    res = resources(request)
    content = _content(body)
    found = detect(all_text(content))
    volunteered = body.volunteer.categories if body.volunteer else []
    declared = [SensitiveCategory(c) for c in await store.declared(res.db, subject_id)]
    missing = undeclared(found, declared, volunteered)
    if missing:
        raise Refused(
            "sensitive_data",
            "the CV reveals special care-required information; remove it, or volunteer it",
            categories=missing,
        )
    key = await _key(request, subject_id)
    if body.volunteer:
        await _consent_to_acquire(request, subject_id, body.volunteer)
    events: EventStore = res.extras["store"]  # type: ignore[assignment]
    sealed = seal(key, SERVICE, subject_id, "content", content.model_dump_json())
    has_pdf = content.pdf_text is not None
    async with res.db.acquire() as conn, conn.transaction():
        row = await store.resume(conn, subject_id, lock=True)
        current = Cv(row["resume_id"], row["revision"]) if row else None
        revision = next_revision(current, new=new)  # a broken rule is its own 4xx
        resume_id = current.resume_id if current else uuid.uuid4()
        out: list[Event] = []
        if volunteered:
            out.append(SensitiveDataDeclared(categories=tuple(volunteered), resume_id=resume_id))
            await store.declare(conn, subject_id, [c.value for c in volunteered])
        if revision == 1:
            out.append(ResumeSubmitted(resume_id=resume_id, content=content, has_pdf=has_pdf))
        else:
            out.append(
                ResumeRevised(
                    resume_id=resume_id, revision=revision, content=content, has_pdf=has_pdf
                )
            )
        await store.save_resume(conn, subject_id, resume_id, revision, sealed, has_pdf)
        await events.append(stream(subject_id), ANY_VERSION, out, subject_id=subject_id, conn=conn)
    return await _read(request, subject_id)


async def _read(request: Request, subject_id: str) -> ResumeOut:
    res = resources(request)
    row = await store.resume(res.db, subject_id)
    if row is None:
        raise Refused("no_resume", "no CV")
    key = await _key(request, subject_id)
    content = orjson.loads(unseal(key, SERVICE, subject_id, "content", row["content_sealed"]))
    return ResumeOut(
        resume_id=row["resume_id"],
        revision=row["revision"],
        has_pdf=row["has_pdf"],
        updated_at=row["updated_at"],
        declared_sensitive=[SensitiveCategory(c) for c in await store.declared(res.db, subject_id)],
        content=ResumeContent(**content),
    )


@router.post("/subjects/{subject_id}/resume", status_code=201, tags=["resumes"],
             summary="Submit my CV (refused with 422 if it reveals sensitive data not volunteered)")  # fmt: skip
async def submit(
    request: Request, subject_id: SubjectId, body: ResumeBody, principal: Principal = Student
) -> ResumeOut:
    _self(principal, subject_id)
    return await _write(request, subject_id, body, new=True)


@router.put("/subjects/{subject_id}/resume", tags=["resumes"], summary="Revise my CV")
async def revise(
    request: Request, subject_id: SubjectId, body: ResumeBody, principal: Principal = Student
) -> ResumeOut:
    _self(principal, subject_id)
    return await _write(request, subject_id, body, new=False)


@router.get("/subjects/{subject_id}/resume", tags=["resumes"], summary="My CV")
async def read(
    request: Request, subject_id: SubjectId, principal: Principal = Student
) -> ResumeOut:
    _self(principal, subject_id)
    return await _read(request, subject_id)


@router.delete("/subjects/{subject_id}/resume", status_code=204, tags=["resumes"],
               summary="Delete my CV")  # fmt: skip
async def delete(
    request: Request, subject_id: SubjectId, principal: Principal = Student
) -> Response:
    _self(principal, subject_id)
    res = resources(request)
    events: EventStore = res.extras["store"]  # type: ignore[assignment]
    async with res.db.acquire() as conn, conn.transaction():
        resume_id = await store.delete_resume(conn, subject_id)
        if resume_id is None:
            raise Refused("no_resume", "no CV to delete")
        event = ResumeDeleted(resume_id=resume_id)
        await events.append(
            stream(subject_id), ANY_VERSION, [event], subject_id=subject_id, conn=conn
        )
    return Response(status_code=204)
