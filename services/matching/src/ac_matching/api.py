"""HTTP routes of the matching service: vacancies, matches, applications, provision records.

Who may call what (checked here as well as at the gateway):
- client users post and close their organisation's vacancies, see anonymous
  candidates for them, and read what was shared with their organisation;
- a student sees their top vacancies, applies, and lists their applications
  and every provision of their data (`/subjects/{id}/disclosures`);
- staff order legal disclosures; staff and auditors read provision records.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ac_events.catalogue import (
    DataCategory,
    DecisionReason,
    LegalBasis,
    VacancyClosed,
    VacancyPosted,
)
from ac_events.catalogue.vocab import Region
from ac_events.keyring import Keyring
from ac_events.sealing import unseal
from ac_events.store import ANY_VERSION, EventStore
from ac_matching import store
from ac_matching.domain import SeenResume, items_to_send
from ac_matching.provisions import SERVICE, Outcome, Provisions
from ac_matching.views import Matcher
from ac_platform.auth import Caller, Principal, require
from ac_platform.service import resources

router = APIRouter()

User = Depends(require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR))
Student = Depends(require(Caller.STUDENT))
Client = Depends(require(Caller.CLIENT))
ClientOrStaff = Depends(require(Caller.CLIENT, Caller.STAFF))
Staff = Depends(require(Caller.STAFF))
Reader = Depends(require(Caller.STUDENT, Caller.STAFF, Caller.AUDITOR))
SubjectId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
OrgId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]


def _matcher(request: Request) -> Matcher:
    matcher: Matcher = resources(request).extras["matcher"]  # type: ignore[assignment]
    return matcher


def _provisions(request: Request) -> Provisions:
    provisions: Provisions = resources(request).extras["provisions"]  # type: ignore[assignment]
    return provisions


def _self(principal: Principal, subject_id: str) -> None:
    if principal.subject != subject_id:
        raise Refused("not_your_data", "only your own data")


def _reader(principal: Principal, subject_id: str) -> None:
    if principal.role == Caller.STUDENT:
        _self(principal, subject_id)


# ---------------------------------------------------------------- vacancies


class VacancyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    skills: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=50
    )
    location_country: Region


class VacancyOut(VacancyBody):
    vacancy_id: UUID
    organization_id: str
    open: bool
    posted_at: datetime


def _vacancy(row: Any) -> VacancyOut:
    return VacancyOut(
        vacancy_id=row["vacancy_id"],
        organization_id=row["organization_id"],
        title=row["title"],
        description=row["description"],
        skills=row["skills"],
        location_country=row["location_country"],
        open=row["open"],
        posted_at=row["posted_at"],
    )


async def _own_vacancy(request: Request, vacancy_id: UUID, principal: Principal) -> Any:
    row = await store.vacancy(resources(request).db, vacancy_id)
    if row is None or (
        principal.role == Caller.CLIENT and row["organization_id"] != principal.organization_id
    ):
        raise Refused("no_such_vacancy", "no such vacancy of your organisation")
    return row


@router.post("/vacancies", status_code=201, tags=["vacancies"],
             summary="Post a vacancy for my organisation")  # fmt: skip
async def post_vacancy(
    request: Request, body: VacancyBody, principal: Principal = Client
) -> VacancyOut:
    res = resources(request)
    org = principal.organization_id or ""
    if await store.organisation(res.db, org) is None:
        raise Refused("organisation_not_here_yet", "your organisation is not known here yet")
    vacancy_id = uuid.uuid4()
    event = VacancyPosted(vacancy_id=vacancy_id, organization_id=org, **body.model_dump())
    events: EventStore = res.extras["store"]  # type: ignore[assignment]
    async with res.db.acquire() as conn, conn.transaction():
        await store.add_vacancy(conn, event.model_dump())
        await events.append(f"vacancy-{vacancy_id}", ANY_VERSION, [event], conn=conn)
    return _vacancy(await store.vacancy(res.db, vacancy_id))


@router.post("/vacancies/{vacancy_id}/close", tags=["vacancies"], summary="Close a vacancy")
async def close_vacancy(
    request: Request, vacancy_id: UUID, principal: Principal = Client
) -> VacancyOut:
    await _own_vacancy(request, vacancy_id, principal)
    res = resources(request)
    events: EventStore = res.extras["store"]  # type: ignore[assignment]
    async with res.db.acquire() as conn, conn.transaction():
        if not await store.close_vacancy(conn, vacancy_id):
            raise Refused("vacancy_closed", "this vacancy is closed already")
        event = VacancyClosed(vacancy_id=vacancy_id)
        await events.append(f"vacancy-{vacancy_id}", ANY_VERSION, [event], conn=conn)
    return _vacancy(await store.vacancy(res.db, vacancy_id))


@router.get("/vacancies", tags=["vacancies"], summary="Open vacancies, newest first")
async def vacancies(request: Request, _: Principal = User) -> list[VacancyOut]:
    return [_vacancy(r) for r in await store.open_vacancies(resources(request).db, 200)]


@router.get("/vacancies/{vacancy_id}", tags=["vacancies"], summary="A vacancy")
async def vacancy(request: Request, vacancy_id: UUID, _: Principal = User) -> VacancyOut:
    row = await store.vacancy(resources(request).db, vacancy_id)
    if row is None:
        raise Refused("no_such_vacancy", "no such vacancy")
    return _vacancy(row)


class Candidate(BaseModel):
    candidate: str
    """An anonymous reference, keyed per vacancy."""
    score: float
    matched_skills: list[str]
    skills: list[str]
    languages: list[str]
    desired_roles: list[str]


@router.get("/vacancies/{vacancy_id}/candidates", tags=["vacancies"],
            summary="Anonymous candidates for my vacancy (students whose consent allows it)")  # fmt: skip
async def candidates(
    request: Request, vacancy_id: UUID, principal: Principal = ClientOrStaff
) -> list[Candidate]:
    row = await _own_vacancy(request, vacancy_id, principal)
    found = await _matcher(request).candidates(row)
    return [Candidate(**c) for c in found]


# ---------------------------------------------------------------- a student's side


class Match(BaseModel):
    vacancy: VacancyOut
    score: float


def seen_resume(
    resume_id: Annotated[
        UUID | None, Query(description="The CV last written (`resume_id` of its answer)")
    ] = None,
    resume_revision: Annotated[
        int | None, Query(ge=1, description="…and its `revision`: answer on that CV or 409")
    ] = None,
) -> SeenResume | None:
    """The consistency token of the student's last CV write, if the caller gives it."""
    if resume_id is None and resume_revision is None:
        return None
    if resume_id is None or resume_revision is None:
        raise Refused("incomplete_token", "give both resume_id and resume_revision, or neither")
    return SeenResume(resume_id, resume_revision)


Seen = Annotated[SeenResume | None, Depends(seen_resume)]


@router.get("/subjects/{subject_id}/matches", tags=["matching"],
            summary="My top vacancies (with the vacancy_assessment consent)")  # fmt: skip
async def matches(
    request: Request, subject_id: SubjectId, seen: Seen, principal: Principal = Student
) -> list[Match]:
    _self(principal, subject_id)
    ranked = await _matcher(request).top_vacancies(subject_id, seen)
    return [Match(vacancy=_vacancy(v), score=s) for v, s in ranked]


class ApplicationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vacancy_id: UUID
    data_items: list[DataCategory] | None = Field(default=None, min_length=1, max_length=11)
    """What to send (default: name, contact, school, resume)."""


class ApplicationOut(BaseModel):
    application_id: UUID
    vacancy_id: UUID
    status: Literal["shared", "blocked"]
    reason: DecisionReason
    missing: str
    """Blocked: the consent the student would need to give."""
    disclosure_id: UUID | None = None


def _application(vacancy_id: UUID, o: Outcome) -> ApplicationOut:
    assert o.application_id is not None
    return ApplicationOut(
        application_id=o.application_id,
        vacancy_id=vacancy_id,
        status="shared" if o.status == "shared" else "blocked",
        reason=o.reason,
        missing=o.missing,
        disclosure_id=o.disclosure_id,
    )


@router.post("/subjects/{subject_id}/applications", status_code=201, tags=["matching"],
             summary="Apply: my data goes to the client only if my consent allows it")  # fmt: skip
async def apply(
    request: Request,
    subject_id: SubjectId,
    body: ApplicationBody,
    seen: Seen,
    principal: Principal = Student,
) -> ApplicationOut:
    _self(principal, subject_id)
    items = items_to_send(body.data_items)
    outcome = await _provisions(request).apply(subject_id, body.vacancy_id, items, seen)
    return _application(body.vacancy_id, outcome)


class ApplicationListed(BaseModel):
    application_id: UUID
    vacancy_id: UUID
    title: str
    organization_id: str
    status: Literal["shared", "blocked"]
    reason: DecisionReason
    missing: str
    created_at: datetime


@router.get("/subjects/{subject_id}/applications", tags=["matching"], summary="My applications")
async def applications(
    request: Request, subject_id: SubjectId, principal: Principal = Student
) -> list[ApplicationListed]:
    _self(principal, subject_id)
    rows = await store.applications_of(resources(request).db, subject_id)
    return [ApplicationListed(**{k: r[k] for k in ApplicationListed.model_fields}) for r in rows]


class Disclosure(BaseModel):
    """The record of one provision (APPI art. 29): when, to whom, what, on what ground."""

    event_id: UUID
    record: dict[str, Any]


def _disclosure(row: Any) -> Disclosure:
    return Disclosure(event_id=row["event_id"], record=orjson.loads(row["record"]))


@router.get("/subjects/{subject_id}/disclosures", tags=["matching"],
            summary="Every provision of a person's data to a third party")  # fmt: skip
async def disclosures(
    request: Request, subject_id: SubjectId, principal: Principal = Reader
) -> list[Disclosure]:
    _reader(principal, subject_id)
    return [_disclosure(r) for r in await store.disclosures_of(resources(request).db, subject_id)]


# ---------------------------------------------------------------- a client's side


def _own_org(principal: Principal, organization_id: str) -> None:
    if principal.role == Caller.CLIENT and principal.organization_id != organization_id:
        raise Refused("no_such_organisation", "no such organisation of yours")


@router.get("/organisations/{organization_id}/disclosures", tags=["clients"],
            summary="What was shared with my organisation")  # fmt: skip
async def received(
    request: Request, organization_id: OrgId, principal: Principal = ClientOrStaff
) -> list[Disclosure]:
    _own_org(principal, organization_id)
    return [
        _disclosure(r) for r in await store.disclosures_to(resources(request).db, organization_id)
    ]


class Received(Disclosure):
    data: dict[str, Any] | None
    """The data as sent (`null` once the person is erased)."""


@router.get("/organisations/{organization_id}/disclosures/{disclosure_id}", tags=["clients"],
            summary="The data shared with my organisation in one provision")  # fmt: skip
async def received_one(
    request: Request, organization_id: OrgId, disclosure_id: UUID, principal: Principal = Client
) -> Received:
    _own_org(principal, organization_id)
    res = resources(request)
    row = await store.disclosure_to(res.db, organization_id, disclosure_id)
    if row is None:
        raise Refused("no_such_disclosure", "nothing of that id was shared with you")
    data = None
    keyring: Keyring = res.extras["keyring"]  # type: ignore[assignment]
    key = await keyring.key_for(row["subject_id"])
    if row["snapshot_sealed"] and isinstance(key, bytes):
        sealed = row["snapshot_sealed"]
        data = orjson.loads(unseal(key, SERVICE, row["subject_id"], "snapshot", sealed))
    return Received(**_disclosure(row).model_dump(), data=data)


# ---------------------------------------------------------------- staff


class LegalDisclosureBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject_id: SubjectId
    organization_id: OrgId
    """The recipient (a regulator, court, police...), registered as an organisation."""
    data_items: list[DataCategory] = Field(min_length=1, max_length=11)
    legal_basis: LegalBasis
    legal_reference: str = Field(min_length=1, max_length=200)


class LegalDisclosureOut(BaseModel):
    disclosure_id: UUID
    reason: DecisionReason


@router.post("/legal-disclosures", status_code=201, tags=["staff"],
             summary="Disclose a person's data on a legal basis (APPI art. 27(1))")  # fmt: skip
async def legal_disclosure(
    request: Request, body: LegalDisclosureBody, _: Principal = Staff
) -> LegalDisclosureOut:
    items = items_to_send(body.data_items)
    token = request.headers.get("authorization", "")
    outcome = await _provisions(request).disclose(
        body.subject_id, body.organization_id, items, body.legal_basis, body.legal_reference, token
    )
    assert outcome.disclosure_id is not None
    return LegalDisclosureOut(disclosure_id=outcome.disclosure_id, reason=outcome.reason)
