"""[P] issue 15, the acceptance test: an internship from its posting to a withdrawal, through
the gateway, over real Kafka, PostgreSQL and SMTP.

A client posts a paid, remote-allowed internship with a form of three questions; a student
finds it by a Japanese query with the internship filter, answers the form and applies
(a consent that does not cover the form is not enough; one that does is); the client lists
the application, reads exactly what was shared, moves it to interview and then to offer;
the student sees both changes and gets an email for each; the student withdraws; the client
can no longer read what it was sent (and is told by email); the student's disclosures still
list the provision. Beside it: answers revealing what the student has not volunteered are
refused, and a consent withdrawn after a provision ends the client's access.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from ac_events.kafka import topic_for
from tests.support.infra import Infra, unique_prefix
from tests.support.kafka import read_topic
from tests.support.platform import Platform, platform
from tests.support.policy import texts
from tests.support.smtp import Received
from tests.support.wait import eventually

PASSWORD = "correct horse battery staple"
ITEMS = ["name", "contact", "school", "resume"]
START = (datetime.now(UTC) + timedelta(days=60)).date()

INTERNSHIP = {
    "title": "データ分析インターンシップ（夏）",
    "description": "売上データの分析と可視化。Python と SQL を使います。",
    "skills": ["Python", "SQL", "データ分析"],
    "location_country": "JP",
    "location_area": "東京都",
    "kind": "internship",
    "work_mode": "hybrid",
    "internship": {"start_date": START.isoformat(),
                   "end_date": (START + timedelta(weeks=6)).isoformat(), "hours_per_week": 20,
                   "paid": True, "stipend": {"amount": 150000, "currency": "JPY", "per": "month"},
                   "school_credit": True},
    "deadline": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
    "places": 2,
    "form": [
        {"kind": "short_text", "prompt": "大学・学部を教えてください"},
        {"kind": "one_choice", "prompt": "希望の開始時期", "choices": ["7月", "8月"]},
        {"kind": "yes_no", "prompt": "週2日の出社は可能ですか"},
    ],
}  # fmt: skip
ANSWERS = {"q1": "京都大学 情報学部", "q2": "8月", "q3": True}


def subject_has(text: str) -> Callable[[Received], bool]:
    return lambda m: text in m.subject


async def mail(p: Platform, address: str, match: Callable[[Received], bool]) -> Received:
    assert p.smtp is not None
    for _ in range(400):
        found = [m for m in p.smtp.inbox.to(address) if match(m)]
        if found:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no such mail to {address}: {p.smtp.inbox.to(address)}")


@dataclass
class Rig:
    p: Platform
    prefix: str
    client: dict[str, str]
    """A recruiter of org-data, Data Lab K.K. (Japan)."""


@pytest.fixture(scope="module")
async def rig(infra: Infra) -> AsyncIterator[Rig]:
    prefix = unique_prefix()
    async with platform(infra, prefix, notifications=True) as p:
        gw = p.gateway
        await p.accounts.register(Profile(username="staff", name="S", email="staff@example.jp"),
                                  PASSWORD, Role.STAFF)  # fmt: skip
        staff, _ = await p.login("staff", PASSWORD)
        policy = {"policy_version": "v1", "effective_at": "2026-04-01T00:00:00Z",
                  "texts": texts("v1")}  # fmt: skip
        assert (await gw.post("/v1/policies", json=policy, headers=staff)).status_code == 201
        org = {"organization_id": "org-data", "legal_name": "Data Lab K.K.",
               "address": "1-1 Shibuya, Tokyo", "representative": "Rep", "country": "JP"}  # fmt: skip
        assert (await gw.post("/v1/organisations", json=org, headers=staff)).status_code == 201
        recruiter = {"username": "client.data", "password": PASSWORD, "name": "Recruiter",
                     "email": "recruiter@data.example", "role": "client",
                     "organization_id": "org-data"}  # fmt: skip
        assert (await gw.post("/v1/accounts", json=recruiter, headers=staff)).status_code == 201
        client, _ = await p.login("client.data", PASSWORD)
        yield Rig(p, prefix, client)


async def test_an_internship_from_its_posting_to_a_withdrawal(rig: Rig, infra: Infra) -> None:
    p, prefix, client = rig.p, rig.prefix, rig.client
    gw = p.gateway
    person = {"username": "aoi", "password": PASSWORD, "name": "Aoi Mori",
              "email": "aoi@example.jp", "school": "Kyoto University", "language": "ja"}  # fmt: skip
    assert (await gw.post("/v1/users", json=person)).status_code == 202
    student, _ = await p.login("aoi", PASSWORD)
    r = await gw.post("/v1/me/resume", json={"skills": ["Python", "SQL"],
                                              "free_text": "データ分析が好きです。"},
                      headers=student)  # fmt: skip
    assert r.status_code == 201, r.text

    # The client posts the internship, and an on-site permanent role of the same words.
    posted = await p.until_done("POST", "/v1/vacancies", INTERNSHIP, client)
    vacancy_id = posted["vacancy_id"]
    assert [q["question_id"] for q in posted["form"]] == ["q1", "q2", "q3"]
    assert posted["internship"]["stipend"]["amount"] == 150000
    other = {**INTERNSHIP, "title": "データ分析スタッフ", "kind": "permanent",
             "internship": None, "work_mode": "on_site", "form": []}  # fmt: skip
    await p.until_done("POST", "/v1/vacancies", other, client)

    # The student finds it by a Japanese query with the internship filter.
    found = await gw.get("/v1/vacancies", params={"q": "データ分析", "kind": "internship",
                                                  "remote": "true", "paid": "true"},
                         headers=student)  # fmt: skip
    assert found.status_code == 200, found.text
    assert [v["vacancy_id"] for v in found.json()["items"]] == [vacancy_id]
    every = await gw.get("/v1/vacancies", params={"q": "データ分析"}, headers=student)
    assert len(every.json()["items"]) == 2

    # A consent that does not cover the form is not enough: the application is blocked.
    grant = {"purpose": "client_application", "recipient": "org-data",
             "policy_version": "v1", "data_categories": ITEMS}  # fmt: skip
    narrow = await p.until_done("POST", "/v1/me/consents", grant, student)
    apply = {"vacancy_id": vacancy_id, "data_items": ITEMS, "answers": ANSWERS}
    blocked = await p.until_done("POST", "/v1/me/applications", apply, student)
    assert (blocked["status"], blocked["reason"]) == ("blocked", "categories_not_covered")
    r = await gw.delete(f"/v1/me/consents/{narrow['consent_id']}", headers=student)
    assert r.status_code == 200, r.text
    grant["data_categories"] = [*ITEMS, "application_form"]
    assert (await gw.post("/v1/me/consents", json=grant, headers=student)).status_code == 201
    applied = await p.until_done("POST", "/v1/me/applications", apply, student)
    assert (applied["status"], applied["state"]) == ("shared", "submitted"), applied
    application_id, disclosure_id = applied["application_id"], applied["disclosure_id"]

    # The client lists the application and reads exactly what was shared.
    listed = await gw.get(f"/v1/vacancies/{vacancy_id}/applications", headers=client)
    assert listed.status_code == 200, listed.text
    (row,) = listed.json()["items"]
    assert (row["application_id"], row["access"]) == (application_id, "available")
    assert "subject_id" not in row
    path = f"/v1/organisation/applications/{application_id}"
    seen = (await gw.get(path, headers=client)).json()
    assert set(seen["data"]) == {*ITEMS, "application_form"}
    assert seen["data"]["name"] == "Aoi Mori"
    assert [(a["question_id"], a["answer"]) for a in seen["data"]["application_form"]] == [
        ("q1", "京都大学 情報学部"), ("q2", "8月"), ("q3", True)]  # fmt: skip
    mine = (await gw.get("/v1/me/disclosures", headers=student)).json()["items"]
    (record,) = [d["record"] for d in mine if d["record"]["disclosure_id"] == disclosure_id]
    digest = hashlib.sha256(orjson.dumps(seen["data"], option=orjson.OPT_SORT_KEYS))
    assert digest.hexdigest() == record["snapshot_sha256"]
    assert "application_form" in record["data_items"]

    # The client moves it to interview, then to offer (not back, not past the offer).
    steps = f"{path}/steps"
    r = await gw.post(steps, json={"action": "interview", "message": "面接は7/1です"},
                      headers=client)  # fmt: skip
    assert (r.status_code, r.json()["state"]) == (200, "interview"), r.text
    r = await gw.post(steps, json={"action": "accept"}, headers=client)
    assert (r.status_code, r.json()["detail"]["reason"]) == (409, "transition_not_allowed")
    r = await gw.post(steps, json={"action": "offer"}, headers=client)
    assert (r.status_code, r.json()["state"]) == (200, "offer"), r.text

    # The student sees both changes, the message, and an email for each.
    mine_app = (await gw.get(f"/v1/me/applications/{application_id}", headers=student)).json()
    assert [(h["from_state"], h["to_state"]) for h in mine_app["history"]] == [
        ("submitted", "interview"), ("interview", "offer")]  # fmt: skip
    assert mine_app["history"][0]["message"] == "面接は7/1です"
    for state in ("面接", "内定"):
        got = await mail(p, "aoi@example.jp", subject_has(state))
        assert application_id in got.body and "面接は7/1です" not in got.body

    # The student withdraws: the client can no longer read what it was sent, and sees why.
    r = await gw.post(f"/v1/me/applications/{application_id}/withdraw", headers=student)
    assert (r.status_code, r.json()["state"]) == (200, "withdrawn"), r.text
    after = (await gw.get(path, headers=client)).json()
    assert (after["access"], after["data"]) == ("application_withdrawn", None)
    received = (await gw.get(f"/v1/organisation/disclosures/{disclosure_id}",
                             headers=client)).json()  # fmt: skip
    assert (received["access"], received["data"]) == ("application_withdrawn", None)
    told = await mail(p, "recruiter@data.example", lambda m: "取り下げ" in m.subject)
    assert "Aoi" not in told.body
    r = await gw.post(steps, json={"action": "reject"}, headers=client)
    assert (r.status_code, r.json()["detail"]["reason"]) == (409, "transition_not_allowed")

    # The student's disclosures still list the provision.
    mine = (await gw.get("/v1/me/disclosures", headers=student)).json()["items"]
    assert disclosure_id in [d["record"]["disclosure_id"] for d in mine]
    # The log says it all, and none of it in the clear: the message is sealed.
    records = await read_topic(infra.kafka_bootstrap_servers, topic_for("matching", prefix))
    types = {orjson.loads(r.value)["type"] for r in records}
    assert {"VacancyPosted", "ApplicationStatusChanged", "ApplicationWithdrawn"} <= types
    raw = b"".join(r.value for r in records)
    for plain in ("面接は7/1です", "Aoi Mori", "京都大学 情報学部"):
        assert plain.encode() not in raw


async def test_answers_pass_the_sensitive_data_guard_and_a_withdrawn_consent_ends_access(
    rig: Rig,
) -> None:
    """Issue 15 items 4 and 5: a form's answers that reveal special care-required
    information the student has not volunteered are refused (as in a CV) and nothing goes;
    ordinary answers go; withdrawing the consent behind an application ends the client's
    access to what it received, the provision record staying."""
    p, client = rig.p, rig.client
    gw = p.gateway
    body = {"title": "Backend engineer (Go)", "skills": ["Go"], "location_country": "JP",
            "form": [{"kind": "long_text", "prompt": "Why would you like to join us?"}]}  # fmt: skip
    vacancy_id = (await p.until_done("POST", "/v1/vacancies", body, client))["vacancy_id"]
    person = {"username": "ren.forms", "password": PASSWORD, "name": "Ren Ito",
              "email": "ren.forms@example.jp", "language": "en"}  # fmt: skip
    assert (await gw.post("/v1/users", json=person)).status_code == 202
    student, _ = await p.login("ren.forms", PASSWORD)
    r = await gw.post("/v1/me/resume", json={"skills": ["Go"]}, headers=student)
    assert r.status_code == 201, r.text
    items = ["name", "contact", "application_form"]
    grant = {"purpose": "client_application", "recipient": "org-data", "policy_version": "v1",
             "data_categories": items}  # fmt: skip
    consent = await p.until_done("POST", "/v1/me/consents", grant, student)

    apply = {"vacancy_id": vacancy_id, "data_items": items,
             "answers": {"q1": "I am a practising Buddhist and volunteer at my temple."}}  # fmt: skip

    async def refused() -> dict[str, Any] | None:
        r = await gw.post("/v1/me/applications", json=apply, headers=student)
        detail = r.json().get("detail") if r.status_code == 422 else None
        ok = isinstance(detail, dict) and detail.get("reason") == "sensitive_data"
        return detail if ok else None  # else not yet: matching has not had the person yet

    detail = await eventually(refused)
    assert detail["categories"] == ["beliefs_religion"], detail
    listed = await gw.get(f"/v1/vacancies/{vacancy_id}/applications", headers=client)
    assert listed.status_code == 200 and listed.json()["items"] == [], listed.text

    apply["answers"] = {"q1": "Your Go services are the ones I read to learn the language."}
    applied = await p.until_done("POST", "/v1/me/applications", apply, student)
    assert applied["status"] == "shared", applied
    path = f"/v1/organisation/applications/{applied['application_id']}"
    seen = (await gw.get(path, headers=client)).json()
    assert seen["access"] == "available" and seen["data"]["application_form"][0]["answer"] == (
        "Your Go services are the ones I read to learn the language."
    )

    r = await gw.delete(f"/v1/me/consents/{consent['consent_id']}", headers=student)
    assert r.status_code == 200, r.text
    after = (await gw.get(path, headers=client)).json()
    assert (after["access"], after["data"]) == ("consent_withdrawn", None)
    received = await gw.get(f"/v1/organisation/disclosures/{applied['disclosure_id']}",
                            headers=client)  # fmt: skip
    assert (received.json()["access"], received.json()["data"]) == ("consent_withdrawn", None)
    mine = (await gw.get("/v1/me/disclosures", headers=student)).json()["items"]
    assert applied["disclosure_id"] in [d["record"]["disclosure_id"] for d in mine]
