"""HTTP routes of the matching service: vacancies, search, matches and preferences ->
commands and reads. (Applications and provision records: `api_applications.py`.)

Who may call what (checked here as well as at the gateway):
- client users post, revise, close and list their organisation's vacancies, and see
  anonymous candidates for them;
- every user searches and reads open vacancies;
- a student sees their top vacancies (with the reasons) and states their preferences.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query

from ac_contracts.common import OrgId, SubjectId
from ac_contracts.errors import Refused
from ac_contracts.matching import (
    Candidate,
    CloseBody,
    Match,
    MatchingPreferences,
    MatchQuery,
    MatchReason,
    OrganisationVacancies,
    VacancyBody,
    VacancyOut,
    VacancySearch,
)
from ac_contracts.pagination import ListQuery, Page, newest_after, newest_key, page_of, read_cursor
from ac_events.catalogue import CloseReason
from ac_events.sealing import unseal
from ac_matching import store, store_vacancies
from ac_matching.commands import SERVICE
from ac_matching.commands_applications import PREFS, state_preferences
from ac_matching.deps import Deps
from ac_matching.domain import SeenResume, match_reasons, own_vacancy
from ac_platform.auth import Caller, Principal, require

router = APIRouter()

User = Depends(require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR))
Student = Depends(require(Caller.STUDENT))
Client = Depends(require(Caller.CLIENT))
ClientOrStaff = Depends(require(Caller.CLIENT, Caller.STAFF))


def check_self(principal: Principal, subject_id: str) -> None:
    if principal.subject != subject_id:
        raise Refused("not_your_data", "only your own data")


def check_own_org(principal: Principal, organization_id: str) -> None:
    if principal.role == Caller.CLIENT and principal.organization_id != organization_id:
        raise Refused("no_such_organisation", "no such organisation of yours")


def vacancy_out(row: Any) -> VacancyOut:
    values = {k: row[k] for k in VacancyOut.model_fields if k not in ("internship", "form")}
    return VacancyOut(**values, internship=orjson.loads(row["internship"] or "null"),
                      form=orjson.loads(row["form"]))  # fmt: skip


async def own_vacancy_row(deps: Deps, vacancy_id: UUID, principal: Principal) -> Any:
    row = await store_vacancies.vacancy(deps.db, vacancy_id)
    return own_vacancy(row, principal.organization_id, principal.role == Caller.CLIENT)


def _ranked_after(cursor: str | None) -> tuple[float, int] | None:
    key = read_cursor(cursor, 2)
    if key is None:
        return None
    if not isinstance(key[0], int | float) or not isinstance(key[1], int):
        raise Refused("bad_cursor", "this cursor is not one of this list")
    return float(key[0]), int(key[1])


# ---------------------------------------------------------------- vacancies


@router.post("/vacancies", status_code=201, tags=["vacancies"],
             summary="Post a vacancy or internship for my organisation (with its form)")  # fmt: skip
async def post_vacancy(deps: Deps, body: VacancyBody, principal: Principal = Client) -> VacancyOut:
    vacancy_id = await deps.vacancies.post(principal.organization_id or "", body)
    return vacancy_out(await store_vacancies.vacancy(deps.db, vacancy_id))


@router.put("/vacancies/{vacancy_id}", tags=["vacancies"],
            summary="Revise my organisation's open vacancy (the whole of it)")  # fmt: skip
async def revise_vacancy(
    deps: Deps, vacancy_id: UUID, body: VacancyBody, principal: Principal = Client
) -> VacancyOut:
    await own_vacancy_row(deps, vacancy_id, principal)
    await deps.vacancies.revise(vacancy_id, body)
    return vacancy_out(await store_vacancies.vacancy(deps.db, vacancy_id))


@router.post("/vacancies/{vacancy_id}/close", tags=["vacancies"],
             summary="Close my organisation's vacancy (filled, or withdrawn)")  # fmt: skip
async def close_vacancy(
    deps: Deps, vacancy_id: UUID, body: CloseBody | None = None, principal: Principal = Client
) -> VacancyOut:
    await own_vacancy_row(deps, vacancy_id, principal)
    reason = CloseReason((body or CloseBody()).reason)
    if not await deps.vacancies.close(vacancy_id, reason):
        raise Refused("vacancy_closed", "this vacancy is closed already")
    return vacancy_out(await store_vacancies.vacancy(deps.db, vacancy_id))


@router.get("/vacancies", tags=["vacancies"],
            summary="Search open vacancies: words (ja/en), kind, country, remote, paid, deadline")  # fmt: skip
async def vacancies(
    deps: Deps, q: Annotated[VacancySearch, Query()], _: Principal = User
) -> Page[VacancyOut]:
    ranked = await deps.matcher.search(q, _ranked_after(q.cursor), q.limit + 1)
    rows = await store_vacancies.vacancies(deps.db, [k for k, _, _ in ranked])
    found = [(rows[k], s, t) for k, s, t in ranked if k in rows]
    return page_of(found, q.limit, lambda r: (r[1], r[2]), lambda r: vacancy_out(r[0]))


@router.get("/organisations/{organization_id}/vacancies", tags=["vacancies"],
            summary="My organisation's vacancies, open and closed, newest first")  # fmt: skip
async def organisation_vacancies(
    deps: Deps,
    organization_id: OrgId,
    q: Annotated[OrganisationVacancies, Query()],
    principal: Principal = ClientOrStaff,
) -> Page[VacancyOut]:
    check_own_org(principal, organization_id)
    after = newest_after(q.cursor)
    rows = await store_vacancies.of_organisation(deps.db, organization_id, q.status, after, q.limit)
    return page_of(
        rows, q.limit, lambda r: newest_key(r["posted_at"], r["vacancy_id"]), vacancy_out
    )


@router.get("/vacancies/{vacancy_id}", tags=["vacancies"], summary="A vacancy")
async def vacancy(deps: Deps, vacancy_id: UUID, _: Principal = User) -> VacancyOut:
    row = await store_vacancies.vacancy(deps.db, vacancy_id)
    if row is None:
        raise Refused("no_such_vacancy", "no such vacancy")
    return vacancy_out(row)


@router.get("/vacancies/{vacancy_id}/candidates", tags=["vacancies"],
            summary="Anonymous candidates for my vacancy: a reference, a score, the vacancy's skills that matched")  # fmt: skip
async def candidates(
    deps: Deps, vacancy_id: UUID, q: Annotated[ListQuery, Query()],
    principal: Principal = ClientOrStaff,
) -> Page[Candidate]:  # fmt: skip
    row = await own_vacancy_row(deps, vacancy_id, principal)
    items, nxt = await deps.matcher.candidates(row, q.cursor, q.limit)
    return Page(items=[Candidate(**c) for c in items], next_cursor=nxt)


# ---------------------------------------------------------------- a student's side


async def seen_resume(token: Annotated[MatchQuery, Query()]) -> SeenResume | None:
    """The consistency token of the student's last CV write, if the caller gives it (a
    coroutine: FastAPI would run a plain function in its thread pool)."""
    if token.resume_id is None and token.resume_revision is None:
        return None
    if token.resume_id is None or token.resume_revision is None:
        raise Refused("incomplete_token", "give both resume_id and resume_revision, or neither")
    return SeenResume(token.resume_id, token.resume_revision)


Seen = Annotated[SeenResume | None, Depends(seen_resume)]


@router.get("/subjects/{subject_id}/matches", tags=["matching"],
            summary="My top vacancies, filtered by my preferences, with why each matched")  # fmt: skip
async def matches(
    deps: Deps, subject_id: SubjectId, seen: Seen, q: Annotated[MatchQuery, Query()],
    principal: Principal = Student,
) -> Page[Match]:  # fmt: skip
    check_self(principal, subject_id)
    cv, ranked = await deps.matcher.top_vacancies(subject_id, seen, _ranked_after(q.cursor),
                                                  q.limit + 1)  # fmt: skip
    rows = await store_vacancies.vacancies(deps.db, [k for k, _, _ in ranked])

    def match(r: tuple[Any, float, int]) -> Match:
        v = rows[r[0]]
        reasons = [
            MatchReason(skill=a, matches=b) for a, b in match_reasons(cv.skills, v["skills"])
        ]
        return Match(vacancy=vacancy_out(v), score=r[1], reasons=reasons)

    found = [r for r in ranked if r[0] in rows]
    return page_of(found, q.limit, lambda r: (r[1], r[2]), match)


@router.put("/subjects/{subject_id}/preferences", tags=["matching"],
            summary="State the periods I am free, the kinds I want and remote or not")  # fmt: skip
async def set_preferences(
    deps: Deps, subject_id: SubjectId, body: MatchingPreferences, principal: Principal = Student
) -> MatchingPreferences:
    check_self(principal, subject_id)
    await state_preferences(deps.events, deps.keyring, subject_id, body)
    return body


@router.get("/subjects/{subject_id}/preferences", tags=["matching"], summary="My preferences")
async def preferences(
    deps: Deps, subject_id: SubjectId, principal: Principal = Student
) -> MatchingPreferences:
    check_self(principal, subject_id)
    sealed = await store.preferences(deps.db, subject_id)
    key = await deps.keyring.key_for(subject_id)
    if sealed is None or not isinstance(key, bytes):
        return MatchingPreferences()
    return MatchingPreferences.model_validate_json(unseal(key, SERVICE, subject_id, PREFS, sealed))
