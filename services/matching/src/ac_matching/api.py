"""HTTP routes of the matching service -> commands (`commands.py`) and reads (`views.py`).

Who may call what (checked here as well as at the gateway):
- client users post and close their organisation's vacancies, see anonymous
  candidates for them, and read what was shared with their organisation;
- a student sees their top vacancies, applies, and lists their applications
  and every provision of their data (`/subjects/{id}/disclosures`);
- staff order legal disclosures; staff and auditors read provision records.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query, Request

from ac_contracts.common import OrgId, SubjectId
from ac_contracts.errors import Refused
from ac_contracts.matching import (
    ApplicationBody,
    ApplicationListed,
    ApplicationOut,
    Candidate,
    Disclosure,
    LegalDisclosureBody,
    LegalDisclosureOut,
    Match,
    Received,
    ResumeToken,
    VacancyBody,
    VacancyOut,
)
from ac_events.catalogue import VacancyPosted
from ac_events.sealing import unseal
from ac_matching import commands, store
from ac_matching.commands import SERVICE
from ac_matching.deps import Deps
from ac_matching.domain import SeenResume, items_to_send, own_vacancy
from ac_platform.auth import Caller, Principal, require

router = APIRouter()

User = Depends(require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR))
Student = Depends(require(Caller.STUDENT))
Client = Depends(require(Caller.CLIENT))
ClientOrStaff = Depends(require(Caller.CLIENT, Caller.STAFF))
Staff = Depends(require(Caller.STAFF))
Reader = Depends(require(Caller.STUDENT, Caller.STAFF, Caller.AUDITOR))


def _self(principal: Principal, subject_id: str) -> None:
    if principal.subject != subject_id:
        raise Refused("not_your_data", "only your own data")


def _vacancy(row: Any) -> VacancyOut:
    return VacancyOut(**{k: row[k] for k in VacancyOut.model_fields})


async def _own_vacancy(deps: Deps, vacancy_id: UUID, principal: Principal) -> Any:
    row = await store.vacancy(deps.db, vacancy_id)
    return own_vacancy(row, principal.organization_id, principal.role == Caller.CLIENT)


# ---------------------------------------------------------------- vacancies


@router.post("/vacancies", status_code=201, tags=["vacancies"],
             summary="Post a vacancy for my organisation")  # fmt: skip
async def post_vacancy(deps: Deps, body: VacancyBody, principal: Principal = Client) -> VacancyOut:
    org = principal.organization_id or ""
    event = VacancyPosted(vacancy_id=uuid.uuid4(), organization_id=org, **body.model_dump())
    await commands.post_vacancy(deps.events, org, event)
    return _vacancy(await store.vacancy(deps.db, event.vacancy_id))


@router.post("/vacancies/{vacancy_id}/close", tags=["vacancies"], summary="Close a vacancy")
async def close_vacancy(deps: Deps, vacancy_id: UUID, principal: Principal = Client) -> VacancyOut:
    await _own_vacancy(deps, vacancy_id, principal)
    await commands.close_vacancy(deps.events, vacancy_id)
    return _vacancy(await store.vacancy(deps.db, vacancy_id))


@router.get("/vacancies", tags=["vacancies"], summary="Open vacancies, newest first")
async def vacancies(deps: Deps, _: Principal = User) -> list[VacancyOut]:
    return [_vacancy(r) for r in await store.open_vacancies(deps.db, 200)]


@router.get("/vacancies/{vacancy_id}", tags=["vacancies"], summary="A vacancy")
async def vacancy(deps: Deps, vacancy_id: UUID, _: Principal = User) -> VacancyOut:
    row = await store.vacancy(deps.db, vacancy_id)
    if row is None:
        raise Refused("no_such_vacancy", "no such vacancy")
    return _vacancy(row)


@router.get("/vacancies/{vacancy_id}/candidates", tags=["vacancies"],
            summary="Anonymous candidates for my vacancy (students whose consent allows it)")  # fmt: skip
async def candidates(
    deps: Deps, vacancy_id: UUID, principal: Principal = ClientOrStaff
) -> list[Candidate]:
    row = await _own_vacancy(deps, vacancy_id, principal)
    return [Candidate(**c) for c in await deps.matcher.candidates(row)]


# ---------------------------------------------------------------- a student's side


async def seen_resume(token: Annotated[ResumeToken, Query()]) -> SeenResume | None:
    """The consistency token of the student's last CV write, if the caller gives it (a
    coroutine: FastAPI would run a plain function in its thread pool)."""
    if token.resume_id is None and token.resume_revision is None:
        return None
    if token.resume_id is None or token.resume_revision is None:
        raise Refused("incomplete_token", "give both resume_id and resume_revision, or neither")
    return SeenResume(token.resume_id, token.resume_revision)


Seen = Annotated[SeenResume | None, Depends(seen_resume)]


@router.get("/subjects/{subject_id}/matches", tags=["matching"],
            summary="My top vacancies (with the vacancy_assessment consent)")  # fmt: skip
async def matches(
    deps: Deps, subject_id: SubjectId, seen: Seen, principal: Principal = Student
) -> list[Match]:
    _self(principal, subject_id)
    ranked = await deps.matcher.top_vacancies(subject_id, seen)
    return [Match(vacancy=_vacancy(v), score=s) for v, s in ranked]


@router.post("/subjects/{subject_id}/applications", status_code=201, tags=["matching"],
             summary="Apply: my data goes to the client only if my consent allows it")  # fmt: skip
async def apply(
    deps: Deps, subject_id: SubjectId, body: ApplicationBody, seen: Seen,
    principal: Principal = Student,
) -> ApplicationOut:  # fmt: skip
    _self(principal, subject_id)
    items = items_to_send(body.data_items)
    o = await deps.provisions.apply(subject_id, body.vacancy_id, items, seen)
    assert o.application_id is not None
    return ApplicationOut(application_id=o.application_id, vacancy_id=body.vacancy_id,
                          status="shared" if o.status == "shared" else "blocked",
                          reason=o.reason, missing=o.missing, disclosure_id=o.disclosure_id)  # fmt: skip


@router.get("/subjects/{subject_id}/applications", tags=["matching"], summary="My applications")
async def applications(
    deps: Deps, subject_id: SubjectId, principal: Principal = Student
) -> list[ApplicationListed]:
    _self(principal, subject_id)
    rows = await store.applications_of(deps.db, subject_id)
    return [ApplicationListed(**{k: r[k] for k in ApplicationListed.model_fields}) for r in rows]


def _disclosure(row: Any) -> Disclosure:
    return Disclosure(event_id=row["event_id"], record=orjson.loads(row["record"]))


@router.get("/subjects/{subject_id}/disclosures", tags=["matching"],
            summary="Every provision of a person's data to a third party")  # fmt: skip
async def disclosures(
    deps: Deps, subject_id: SubjectId, principal: Principal = Reader
) -> list[Disclosure]:
    if principal.role == Caller.STUDENT:
        _self(principal, subject_id)
    return [_disclosure(r) for r in await store.disclosures_of(deps.db, subject_id)]


# ---------------------------------------------------------------- a client's side


def _own_org(principal: Principal, organization_id: str) -> None:
    if principal.role == Caller.CLIENT and principal.organization_id != organization_id:
        raise Refused("no_such_organisation", "no such organisation of yours")


@router.get("/organisations/{organization_id}/disclosures", tags=["clients"],
            summary="What was shared with my organisation")  # fmt: skip
async def received(
    deps: Deps, organization_id: OrgId, principal: Principal = ClientOrStaff
) -> list[Disclosure]:
    _own_org(principal, organization_id)
    return [_disclosure(r) for r in await store.disclosures_to(deps.db, organization_id)]


@router.get("/organisations/{organization_id}/disclosures/{disclosure_id}", tags=["clients"],
            summary="The data shared with my organisation in one provision")  # fmt: skip
async def received_one(
    deps: Deps, organization_id: OrgId, disclosure_id: UUID, principal: Principal = Client
) -> Received:
    _own_org(principal, organization_id)
    row = await store.disclosure_to(deps.db, organization_id, disclosure_id)
    if row is None:
        raise Refused("no_such_disclosure", "nothing of that id was shared with you")
    data = None
    key = await deps.keyring.key_for(row["subject_id"])
    if row["snapshot_sealed"] and isinstance(key, bytes):
        sealed = row["snapshot_sealed"]
        data = orjson.loads(unseal(key, SERVICE, row["subject_id"], "snapshot", sealed))
    return Received(**_disclosure(row).model_dump(), data=data)


# ---------------------------------------------------------------- staff


@router.post("/legal-disclosures", status_code=201, tags=["staff"],
             summary="Disclose a person's data on a legal basis (APPI art. 27(1))")  # fmt: skip
async def legal_disclosure(
    deps: Deps, request: Request, body: LegalDisclosureBody, _: Principal = Staff
) -> LegalDisclosureOut:
    items = items_to_send(body.data_items)
    token = request.headers.get("authorization", "")
    o = await deps.provisions.disclose(body.subject_id, body.organization_id, items,
                                       body.legal_basis, body.legal_reference, token)  # fmt: skip
    assert o.disclosure_id is not None
    return LegalDisclosureOut(disclosure_id=o.disclosure_id, reason=o.reason)
