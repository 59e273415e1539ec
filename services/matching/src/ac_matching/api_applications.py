"""HTTP routes of applications and provision records -> commands and reads.

- a student applies (answering the vacancy's form), lists their applications with their
  states and history, answers an offer, withdraws; lists every provision of their data;
- a client user lists the applications to its organisation's vacancies, reads what each
  sent it (only while the student allows it: `access` says why not), moves them through
  their states, and lists what was shared with it;
- staff order legal disclosures; staff and auditors read provision records.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query, Request

from ac_contracts.common import OrgId, SubjectId
from ac_contracts.errors import Refused
from ac_contracts.matching import (
    AnswerBody,
    ApplicationBody,
    ApplicationDetail,
    ApplicationListed,
    ApplicationOut,
    ApplicationsQuery,
    ClientApplication,
    ClientApplicationDetail,
    Disclosure,
    LegalDisclosureBody,
    LegalDisclosureOut,
    MoveBody,
    Received,
)
from ac_contracts.pagination import ListQuery, Page, newest_after, newest_key, page_of
from ac_events.catalogue import ApplicationState
from ac_matching import reads, store, store_applications
from ac_matching.api import (
    Client,
    ClientOrStaff,
    Seen,
    Student,
    check_own_org,
    check_self,
    own_vacancy_row,
)
from ac_matching.deps import Deps
from ac_matching.domain import Action, Actor, items_to_send
from ac_platform.auth import Caller, Principal, require

router = APIRouter()

Staff = Depends(require(Caller.STAFF))
Reader = Depends(require(Caller.STUDENT, Caller.STAFF, Caller.AUDITOR))


def _disclosure(row: Any) -> Disclosure:
    return Disclosure(event_id=row["event_id"], record=orjson.loads(row["record"]))


# ---------------------------------------------------------------- a student's side


@router.post("/subjects/{subject_id}/applications", status_code=201, tags=["applications"],
             summary="Apply (with the form's answers): my data goes to the client only if my consent allows it")  # fmt: skip
async def apply(
    deps: Deps, subject_id: SubjectId, body: ApplicationBody, seen: Seen,
    principal: Principal = Student,
) -> ApplicationOut:  # fmt: skip
    check_self(principal, subject_id)
    o = await deps.provisions.apply(subject_id, body.vacancy_id, body.data_items, body.answers,
                                    seen)  # fmt: skip
    assert o.application_id is not None
    shared = o.status == "shared"
    return ApplicationOut(application_id=o.application_id, vacancy_id=body.vacancy_id,
                          status="shared" if shared else "blocked",
                          state=ApplicationState.SUBMITTED if shared else None,
                          reason=o.reason, missing=o.missing, disclosure_id=o.disclosure_id)  # fmt: skip


def _listed(row: Any) -> ApplicationListed:
    return ApplicationListed(**{k: row[k] for k in ApplicationListed.model_fields})


@router.get("/subjects/{subject_id}/applications", tags=["applications"],
            summary="My applications and where each stands, newest first")  # fmt: skip
async def applications(
    deps: Deps, subject_id: SubjectId, q: Annotated[ListQuery, Query()],
    principal: Principal = Student,
) -> Page[ApplicationListed]:  # fmt: skip
    check_self(principal, subject_id)
    rows = await store_applications.of_subject(deps.db, subject_id, newest_after(q.cursor), q.limit)
    return page_of(rows, q.limit, lambda r: newest_key(r["created_at"], r["application_id"]),
                   _listed)  # fmt: skip


async def _mine(deps: Deps, subject_id: str, application_id: UUID) -> ApplicationDetail:
    row = await store_applications.application(deps.db, application_id)
    if row is None or row["subject_id"] != subject_id:
        raise Refused("no_such_application", "no such application of yours")
    history = await reads.history(deps, row)
    return ApplicationDetail(**_listed(row).model_dump(), history=history)


@router.get("/subjects/{subject_id}/applications/{application_id}", tags=["applications"],
            summary="One of my applications, with every change of its state")  # fmt: skip
async def application(
    deps: Deps, subject_id: SubjectId, application_id: UUID, principal: Principal = Student
) -> ApplicationDetail:
    check_self(principal, subject_id)
    return await _mine(deps, subject_id, application_id)


@router.post("/subjects/{subject_id}/applications/{application_id}/withdraw",
             tags=["applications"],
             summary="Withdraw my application: the client loses access to what it was sent")  # fmt: skip
async def withdraw(
    deps: Deps, subject_id: SubjectId, application_id: UUID, principal: Principal = Student
) -> ApplicationDetail:
    check_self(principal, subject_id)
    await deps.steps.take(application_id, Action.WITHDRAW, Actor.STUDENT, principal.subject,
                          subject_id=subject_id)  # fmt: skip
    return await _mine(deps, subject_id, application_id)


@router.post("/subjects/{subject_id}/applications/{application_id}/answer",
             tags=["applications"], summary="Accept or decline an offer")  # fmt: skip
async def answer(
    deps: Deps, subject_id: SubjectId, application_id: UUID, body: AnswerBody,
    principal: Principal = Student,
) -> ApplicationDetail:  # fmt: skip
    check_self(principal, subject_id)
    await deps.steps.take(application_id, Action(body.action), Actor.STUDENT, principal.subject,
                          subject_id=subject_id)  # fmt: skip
    return await _mine(deps, subject_id, application_id)


@router.get("/subjects/{subject_id}/disclosures", tags=["applications"],
            summary="Every provision of a person's data to a third party, newest first")  # fmt: skip
async def disclosures(
    deps: Deps, subject_id: SubjectId, q: Annotated[ListQuery, Query()],
    principal: Principal = Reader,
) -> Page[Disclosure]:  # fmt: skip
    if principal.role == Caller.STUDENT:
        check_self(principal, subject_id)
    rows = await store.disclosures(deps.db, "subject_id", subject_id, newest_after(q.cursor),
                                   q.limit)  # fmt: skip
    return page_of(rows, q.limit, lambda r: newest_key(r["shared_at"], r["disclosure_id"]),
                   _disclosure)  # fmt: skip


# ---------------------------------------------------------------- a client's side


@router.get("/vacancies/{vacancy_id}/applications", tags=["clients"],
            summary="The applications to my organisation's vacancy, newest first")  # fmt: skip
async def vacancy_applications(
    deps: Deps, vacancy_id: UUID, q: Annotated[ApplicationsQuery, Query()],
    principal: Principal = Client,
) -> Page[ClientApplication]:  # fmt: skip
    await own_vacancy_row(deps, vacancy_id, principal)
    state = q.state.value if q.state else None
    rows = await store_applications.to_vacancy(deps.db, vacancy_id, state,
                                               newest_after(q.cursor), q.limit)  # fmt: skip
    shown = rows[: q.limit]
    accesses = await reads.accesses(deps, shown)
    page = page_of(rows, q.limit, lambda r: newest_key(r["created_at"], r["application_id"]),
                   lambda r: r)  # fmt: skip
    return Page(items=[reads.client_application(r, a) for r, a in zip(shown, accesses,
                                                                         strict=True)],
                next_cursor=page.next_cursor)  # fmt: skip


async def _theirs(
    deps: Deps, organization_id: str, application_id: UUID
) -> ClientApplicationDetail:
    row = await store_applications.application(deps.db, application_id)
    if row is None or row["organization_id"] != organization_id or row["status"] != "shared":
        raise Refused("no_such_application", "no such application to your organisation")
    return await reads.client_detail(deps, row)


@router.get("/organisations/{organization_id}/applications/{application_id}",
            tags=["clients"],
            summary="An application to my organisation: exactly what it was sent, while the student allows it")  # fmt: skip
async def organisation_application(
    deps: Deps, organization_id: OrgId, application_id: UUID, principal: Principal = Client
) -> ClientApplicationDetail:
    check_own_org(principal, organization_id)
    return await _theirs(deps, organization_id, application_id)


@router.post("/organisations/{organization_id}/applications/{application_id}/steps",
             tags=["clients"],
             summary="Move an application: review, interview, offer, accept, decline, reject")  # fmt: skip
async def step(
    deps: Deps, organization_id: OrgId, application_id: UUID, body: MoveBody,
    principal: Principal = Client,
) -> ClientApplicationDetail:  # fmt: skip
    check_own_org(principal, organization_id)
    await deps.steps.take(application_id, Action(body.action), Actor.CLIENT, principal.subject,
                          organization_id=organization_id, message=body.message)  # fmt: skip
    return await _theirs(deps, organization_id, application_id)


@router.get("/organisations/{organization_id}/disclosures", tags=["clients"],
            summary="What was shared with my organisation, newest first")  # fmt: skip
async def received(
    deps: Deps, organization_id: OrgId, q: Annotated[ListQuery, Query()],
    principal: Principal = ClientOrStaff,
) -> Page[Disclosure]:  # fmt: skip
    check_own_org(principal, organization_id)
    rows = await store.disclosures(deps.db, "organization_id", organization_id,
                                   newest_after(q.cursor), q.limit)  # fmt: skip
    return page_of(rows, q.limit, lambda r: newest_key(r["shared_at"], r["disclosure_id"]),
                   _disclosure)  # fmt: skip


@router.get("/organisations/{organization_id}/disclosures/{disclosure_id}", tags=["clients"],
            summary="The data shared with my organisation in one provision, while the student allows it")  # fmt: skip
async def received_one(
    deps: Deps, organization_id: OrgId, disclosure_id: UUID, principal: Principal = Client
) -> Received:
    check_own_org(principal, organization_id)
    row = await store.disclosure_to(deps.db, organization_id, disclosure_id)
    if row is None:
        raise Refused("no_such_disclosure", "nothing of that id was shared with you")
    access, data = await reads.provided(deps, row)
    return Received(**_disclosure(row).model_dump(), access=access, data=data)


# ---------------------------------------------------------------- staff


@router.post("/legal-disclosures", status_code=201, tags=["staff"],
             summary="Disclose a person's data on a legal basis (APPI art. 27(1))")  # fmt: skip
async def legal_disclosure(
    deps: Deps, request: Request, body: LegalDisclosureBody, _: Principal = Staff
) -> LegalDisclosureOut:
    items = items_to_send(body.data_items)
    token = request.headers.get("authorization", "")
    o = await deps.provisions.disclose(body.subject_id, body.organization_id, items,
                                       body.legal_basis, body.legal_reference, token,
                                       withhold_notice=body.notice_would_prejudice)  # fmt: skip
    assert o.disclosure_id is not None
    return LegalDisclosureOut(disclosure_id=o.disclosure_id, reason=o.reason)
