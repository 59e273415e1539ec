"""Matching's client side and its bounds, through the gateway over real Kafka, PostgreSQL
and SMTP:

- [H] issue 14 item 6: before an application a client sees an anonymous reference, the
  score and the vacancy's own skills that matched, never CV text, never anything ranked on
  a part of the CV that holds volunteered sensitive data; candidate pages and vacancy
  postings are bounded per organisation;
- [P] issue 15: a vacancy closes by itself at its deadline (matching's clock moved, no
  wait); a student's preferences filter before ranking and the reasons are shown; a
  student's erasure ends their applications and their organisations are told.

Each test has an organisation of its own, so they pass alone and in any order.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from tests.support.clock import SkippingClock
from tests.support.desk import DeskRig, Someone
from tests.support.infra import Infra, unique_prefix
from tests.support.platform import Platform, platform
from tests.support.policy import texts
from tests.support.smtp import Received

PASSWORD = "correct horse battery staple"
PAGES, POSTS = 30, 6
counter = itertools.count()


@dataclass
class World:
    p: Platform
    staff: dict[str, str]
    clock: SkippingClock

    async def organisation(self) -> tuple[str, dict[str, str], str]:
        """A new organisation in Japan and its recruiter: (id, headers, address)."""
        n = next(counter)
        org = f"org-b{n}"
        body = {"organization_id": org, "legal_name": f"B{n} K.K.", "address": "Tokyo",
                "representative": "Rep", "country": "JP"}  # fmt: skip
        r = await self.p.gateway.post("/v1/organisations", json=body, headers=self.staff)
        assert r.status_code == 201, r.text
        user = {"username": f"rec.{org}", "password": PASSWORD, "name": "R",
                "email": f"rec@{org}.example", "role": "client", "organization_id": org}  # fmt: skip
        r = await self.p.gateway.post("/v1/accounts", json=user, headers=self.staff)
        assert r.status_code == 201, r.text
        who, _ = await self.p.login(f"rec.{org}", PASSWORD)
        return org, who, f"rec@{org}.example"

    async def student(self, cv: dict[str, Any], *consents: dict[str, Any]) -> dict[str, str]:
        n = next(counter)
        person = {"username": f"stu.{n}", "password": PASSWORD, "name": f"Student Number{n}",
                  "email": f"stu{n}@example.jp"}  # fmt: skip
        assert (await self.p.gateway.post("/v1/users", json=person)).status_code == 202
        who, _ = await self.p.login(f"stu.{n}", PASSWORD)
        for consent in ({"purpose": "vacancy_assessment"}, *consents):
            await self.p.until_done("POST", "/v1/me/consents",
                                    {"policy_version": "v1", **consent}, who)  # fmt: skip
        r = await self.p.gateway.post("/v1/me/resume", json=cv, headers=who)
        assert r.status_code == 201, r.text
        return who

    async def until(self, check: Callable[[], Any]) -> Any:
        for _ in range(300):
            got = await check()
            if got:
                return got
            await asyncio.sleep(0.1)
        raise AssertionError("never came true")


@pytest.fixture(scope="module")
async def world(infra: Infra) -> AsyncIterator[World]:
    clock = SkippingClock()
    settings = {"candidate_pages_per_hour": PAGES, "vacancies_per_hour": POSTS,
                "deadline_check_s": 0.2, "index_refresh_s": 0.2}  # fmt: skip
    async with platform(infra, unique_prefix(), notifications=True, matching=settings,
                        matching_clock=clock) as p:  # fmt: skip
        await p.accounts.register(Profile(username="staff", name="S", email="staff@example.jp"),
                                  PASSWORD, Role.STAFF)  # fmt: skip
        staff, _ = await p.login("staff", PASSWORD)
        policy = {"policy_version": "v1", "effective_at": "2026-04-01T00:00:00Z",
                  "texts": texts("v1")}  # fmt: skip
        assert (await p.gateway.post("/v1/policies", json=policy, headers=staff)).status_code == 201
        yield World(p, staff, clock)


async def candidates(w: World, vacancy_id: str, who: dict[str, str], count: int) -> Any:
    """The candidate page once the index has read the students' CVs and consents."""

    async def page() -> Any:
        r = await w.p.gateway.get(f"/v1/vacancies/{vacancy_id}/candidates", headers=who)
        assert r.status_code == 200, r.text
        got = r.json() if isinstance(r.json(), dict) else {"items": r.json()}  # (before paging)
        return got if len(got["items"]) >= count else None

    return await w.until(page)


async def test_a_client_sees_no_cv_text_and_nothing_ranked_on_volunteered_sensitive_data(
    world: World,
) -> None:
    w = world
    _, client, _ = await w.organisation()
    volunteered = {"skills": ["Python"], "languages": ["English"],
                   "desired_roles": ["Interpreter trainee"],
                   "free_text": "I am deaf and use sign language at home. I write Python daily.",
                   "volunteer": {"categories": ["disability"], "policy_version": "v1"}}  # fmt: skip
    await w.student(volunteered)
    await w.student({"skills": ["Python", "Sign language"], "languages": ["Japanese"]})
    body = {"title": "Sign language interpreter", "skills": ["Sign language", "Python"],
            "description": "Interpret in sign language; script reports in Python.",
            "location_country": "JP"}  # fmt: skip
    vacancy = await w.p.until_done("POST", "/v1/vacancies", body, client)
    page = await candidates(w, vacancy["vacancy_id"], client, 2)
    items = page["items"]
    assert all(set(c) == {"candidate", "score", "matched_skills"} for c in items), items
    shown = repr(page)
    for cv_text in ("deaf", "Interpreter trainee", "English", "Japanese", "daily", "Number"):
        assert cv_text not in shown
    by_skills = sorted(c["matched_skills"] for c in items)
    # The one who volunteered is matched on Python alone: the sentence that holds the
    # volunteered fact is not ranked on, so "sign language" there earns nothing.
    assert by_skills == [["Python"], ["Sign language", "Python"]]
    volunteered_score = next(c["score"] for c in items if c["matched_skills"] == ["Python"])
    other_score = next(c["score"] for c in items if c["matched_skills"] != ["Python"])
    assert volunteered_score < other_score


async def test_candidate_pages_and_postings_are_bounded_per_organisation(world: World) -> None:
    w = world
    _, client, _ = await w.organisation()
    _, other_client, _ = await w.organisation()
    posted = [await w.p.until_done("POST", "/v1/vacancies",
                                   {"title": f"Role {i}", "location_country": "JP"}, client)
              for i in range(POSTS)]  # fmt: skip
    r = await w.p.gateway.post("/v1/vacancies", json={"title": "One too many",
                                                       "location_country": "JP"}, headers=client)  # fmt: skip
    assert (r.status_code, r.json()["detail"]["reason"]) == (429, "quota_exceeded")
    path = f"/v1/vacancies/{posted[0]['vacancy_id']}/candidates"
    for _ in range(PAGES):
        assert (await w.p.gateway.get(path, headers=client)).status_code == 200
    r = await w.p.gateway.get(path, headers=client)
    assert (r.status_code, r.json()["detail"]["reason"]) == (429, "quota_exceeded")
    # Another organisation's bounds are its own.
    mine = await w.p.until_done("POST", "/v1/vacancies", {"title": "Mine", "location_country": "JP"},
                                other_client)  # fmt: skip
    r = await w.p.gateway.get(f"/v1/vacancies/{mine['vacancy_id']}/candidates",
                              headers=other_client)  # fmt: skip
    assert r.status_code == 200, r.text


async def test_a_vacancy_closes_by_itself_at_its_deadline(world: World) -> None:
    w = world
    org, client, _ = await w.organisation()
    student = await w.student({"skills": ["Go"]}, {"purpose": "client_application",
                                                   "recipient": org, "data_categories": ["resume"]})  # fmt: skip
    deadline = (w.clock() + timedelta(hours=1)).isoformat()
    body = {"title": "Go internship", "skills": ["Go"], "location_country": "JP",
            "kind": "internship", "deadline": deadline,
            "internship": {"duration_weeks": 4, "paid": False}}  # fmt: skip
    vacancy = await w.p.until_done("POST", "/v1/vacancies", body, client)
    assert vacancy["open"] and vacancy["deadline"]
    past = {**body, "deadline": (w.clock() - timedelta(minutes=1)).isoformat()}
    r = await w.p.gateway.post("/v1/vacancies", json=past, headers=client)
    assert (r.status_code, r.json()["detail"]["reason"]) == (422, "deadline_passed")
    w.clock.skip(timedelta(hours=2))

    async def closed() -> Any:
        r = await w.p.gateway.get(f"/v1/vacancies/{vacancy['vacancy_id']}", headers=client)
        return r.json() if not r.json()["open"] else None

    assert (await w.until(closed))["closed_reason"] == "deadline_passed"
    apply = {"vacancy_id": vacancy["vacancy_id"], "data_items": ["resume"]}
    r = await w.p.gateway.post("/v1/me/applications", json=apply, headers=student)
    assert (r.status_code, r.json()["detail"]["reason"]) == (409, "vacancy_closed")
    found = await w.p.gateway.get("/v1/vacancies", params={"q": "Go internship"}, headers=student)
    assert vacancy["vacancy_id"] not in [v["vacancy_id"] for v in found.json()["items"]]


async def test_preferences_filter_before_ranking_and_the_reasons_are_shown(world: World) -> None:
    w = world
    _, client, _ = await w.organisation()
    start = (w.clock() + timedelta(days=40)).date()
    student = await w.student({"skills": ["Kotlin", "Android"]})
    prefs = {"available": [{"start": start.isoformat(),
                            "end": (start + timedelta(days=60)).isoformat()}],
             "kinds": ["internship"], "work_modes": ["remote", "hybrid"]}  # fmt: skip
    backwards = {"available": [{"start": start.isoformat(), "end": "2000-01-01"}]}
    r = await w.p.gateway.put("/v1/me/preferences", json=backwards, headers=student)
    assert (r.status_code, r.json()["detail"]["reason"]) == (422, "period_reversed"), r.text
    r = await w.p.gateway.put("/v1/me/preferences", json=prefs, headers=student)
    assert r.status_code == 200, r.text
    assert (await w.p.gateway.get("/v1/me/preferences", headers=student)).json() == prefs

    def internship(title: str, mode: str, begins: int) -> dict[str, Any]:
        first = start + timedelta(days=begins)
        return {"title": title, "skills": ["Kotlin", "Android SDK"], "location_country": "JP",
                "kind": "internship", "work_mode": mode,
                "internship": {"start_date": first.isoformat(),
                               "end_date": (first + timedelta(days=20)).isoformat(),
                               "paid": False}}  # fmt: skip

    fitting = internship("Kotlin Android internship", "hybrid", 10)
    bodies = [fitting, internship("Kotlin Android internship on site", "on_site", 10),
              internship("Kotlin Android internship in autumn", "remote", 90),
              {"title": "Kotlin Android engineer", "skills": ["Kotlin"], "location_country": "JP",
               "work_mode": "remote"}]  # fmt: skip
    ids = [(await w.p.until_done("POST", "/v1/vacancies", b, client))["vacancy_id"] for b in bodies]

    async def matched() -> Any:
        r = await w.p.gateway.get("/v1/me/matches", headers=student)
        return r.json()["items"] if r.status_code == 200 and r.json()["items"] else None

    items = await w.until(matched)
    assert [m["vacancy"]["vacancy_id"] for m in items] == [ids[0]]
    assert {(x["skill"], x["matches"]) for x in items[0]["reasons"]} == {
        ("Kotlin", "Kotlin"), ("Android", "Android SDK")}  # fmt: skip
    # The other way: an on-site internship's candidates leave out a student who wants remote.
    page = (await w.p.gateway.get(f"/v1/vacancies/{ids[1]}/candidates", headers=client)).json()
    assert page["items"] == []
    page = await candidates(w, ids[0], client, 1)
    assert len(page["items"]) == 1


async def mail(w: World, address: str, match: Callable[[Received], bool]) -> Received:
    assert w.p.smtp is not None

    async def found() -> Any:
        return next((m for m in w.p.smtp.inbox.to(address) if match(m)), None)  # type: ignore[union-attr]

    found_mail: Received = await w.until(found)
    return found_mail


async def test_an_erased_students_applications_end_and_their_organisation_is_told(
    world: World,
) -> None:
    w = world
    org, client, address = await w.organisation()
    student = await w.student({"skills": ["Rust"]}, {"purpose": "client_application",
                                                     "recipient": org, "data_categories": ["resume"]})  # fmt: skip
    vacancy = await w.p.until_done("POST", "/v1/vacancies", {"title": "Rust developer",
                                                             "location_country": "JP"}, client)  # fmt: skip
    applied = await w.p.until_done("POST", "/v1/me/applications",
                                   {"vacancy_id": vacancy["vacancy_id"], "data_items": ["resume"]},
                                   student)  # fmt: skip
    assert applied["status"] == "shared", applied
    path = f"/v1/organisation/applications/{applied['application_id']}"
    assert (await w.p.gateway.get(path, headers=client)).json()["access"] == "available"
    me = (await w.p.gateway.get("/v1/me", headers=student)).json()
    desk, who = DeskRig(w.p), Someone(me["subject_id"], student, me["profile"]["email"])
    erasure = (await desk.file(who, kind="erasure"))["request_id"]
    r = await desk.verify(who, erasure, await desk.code(who, erasure), password=PASSWORD)
    assert r.status_code == 200, r.text

    async def ended() -> Any:
        got = (await w.p.gateway.get(path, headers=client)).json()
        return got if got["state"] == "withdrawn" else None

    got = await w.until(ended)
    assert (got["access"], got["data"]) == ("erased", None)
    told = await mail(w, address, lambda m: "消去" in m.subject or "erased" in m.subject)
    assert "Student" not in told.body and "Rust developer" in told.body
    # The record of the provision stays.
    listed = (await w.p.gateway.get("/v1/organisation/disclosures", headers=client)).json()
    assert applied["disclosure_id"] in [d["record"]["disclosure_id"] for d in listed["items"]]
