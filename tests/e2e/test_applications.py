"""[R] end to end through the gateway, over real Kafka and PostgreSQL.

A student consents to share with a client in Japan and, for a client in the
United States, only for Japan; both clients post vacancies; the student
applies to both: one `DataShared`, one `DataShareBlocked(region_not_covered)`.
The Japanese client reads the CV; the American one cannot; the student's
disclosure list shows exactly the one provision. Then a withdrawal between
two applications to the same client blocks the second, with no window.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import orjson
import pytest

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from ac_events.kafka import topic_for
from tests.support.infra import Infra, unique_prefix
from tests.support.kafka import read_topic
from tests.support.platform import Platform, platform
from tests.support.policy import texts
from tests.support.wait import eventually

PASSWORD = "correct horse battery staple"
ITEMS = ["name", "contact", "school", "resume"]
OTHER = ("COBOL", "mainframe")
"""Skills of the vacancies of the test that does not rank them, so they rank below others'."""


@dataclass
class World:
    p: Platform
    prefix: str
    kafka: str
    staff: dict[str, str]
    student: dict[str, str]
    subject: str
    client_jp: dict[str, str]
    client_us: dict[str, str]

    async def post(self, path: str, body: Any, who: dict[str, str]) -> Any:
        return await self.p.until_done("POST", path, body, who)

    async def get(self, path: str, who: dict[str, str], status: int = 200) -> Any:
        r = await self.p.gateway.get(path, headers=who)
        assert r.status_code == status, r.text
        return r.json()


@pytest.fixture(scope="module")
async def world(infra: Infra) -> AsyncIterator[World]:
    prefix = unique_prefix()
    async with platform(infra, prefix) as p:
        await p.accounts.register(
            Profile(username="staff", name="S", email="staff@example.jp"), PASSWORD, Role.STAFF
        )
        staff, _ = await p.login("staff", PASSWORD)
        gw = p.gateway
        policy = {"policy_version": "v1", "effective_at": "2026-04-01T00:00:00Z",
                  "texts": texts("v1")}  # fmt: skip
        assert (await gw.post("/v1/policies", json=policy, headers=staff)).status_code == 201
        clients = {}
        for org, country in (("org-jp", "JP"), ("org-us", "US")):
            body = {"organization_id": org, "legal_name": f"{org.upper()} Inc.",
                    "address": f"1 Main St, {country}", "representative": f"Rep {country}",
                    "country": country}  # fmt: skip
            assert (await gw.post("/v1/organisations", json=body, headers=staff)).status_code == 201
            user = {"username": f"client.{org}", "password": PASSWORD, "name": "C",
                    "email": f"c@{org}.example", "role": "client", "organization_id": org}  # fmt: skip
            assert (await gw.post("/v1/accounts", json=user, headers=staff)).status_code == 201
            clients[org], _ = await p.login(f"client.{org}", PASSWORD)
        person = {"username": "hana", "password": PASSWORD, "name": "Hana Sato",
                  "email": "hana@example.jp", "school": "Kyoto University"}  # fmt: skip
        assert (await gw.post("/v1/users", json=person)).status_code == 202
        student, subject = await p.login("hana", PASSWORD)
        yield World(p, prefix, infra.kafka_bootstrap_servers, staff, student, subject,
                    clients["org-jp"], clients["org-us"])  # fmt: skip


async def consent(w: World, purpose: str, recipient: str = "*", **extra: Any) -> str:
    body = {"purpose": purpose, "recipient": recipient, "policy_version": "v1", **extra}
    granted = await w.post("/v1/me/consents", body, w.student)
    return str(granted["consent_id"])


async def vacancy(
    w: World, client: dict[str, str], title: str, country: str, skills: tuple[str, ...] = ()
) -> str:
    body = {"title": title, "description": f"Work with {', '.join(skills or ('Python', 'SQL'))}.",
            "skills": list(skills or ("Python", "SQL")), "location_country": country}  # fmt: skip
    return str((await w.post("/v1/vacancies", body, client))["vacancy_id"])


async def apply(w: World, vacancy_id: str, token: str = "") -> dict[str, Any]:
    body = {"vacancy_id": vacancy_id, "data_items": ITEMS}
    applied: dict[str, Any] = await w.post(f"/v1/me/applications{token}", body, w.student)
    return applied


def token(written: dict[str, Any]) -> str:
    """The CV consistency token of a write's answer, as a query string."""
    return f"?resume_id={written['resume_id']}&resume_revision={written['revision']}"


async def test_a_student_applies_to_a_client_in_japan_and_one_abroad(world: World) -> None:
    w = world
    await consent(w, "vacancy_assessment")
    await consent(w, "client_application", "org-jp", data_categories=ITEMS)
    await consent(w, "client_application", "org-us", data_categories=ITEMS)  # region JP only
    cv = {"education": ["Kyoto University, BSc Informatics"], "skills": ["Python", "SQL"],
          "languages": ["Japanese", "English"], "desired_roles": ["Backend engineer"],
          "free_text": "I build web APIs."}  # fmt: skip
    r = await w.p.gateway.post("/v1/me/resume", json=cv, headers=w.student)
    assert r.status_code == 201, r.text
    written = r.json()
    jp = await vacancy(w, w.client_jp, "Backend engineer (Tokyo)", "JP")
    us = await vacancy(w, w.client_us, "Backend engineer (Seattle)", "US")

    # The student sees both vacancies ranked against that CV (409 until matching has it).
    matches = await w.p.until_done("GET", f"/v1/me/matches{token(written)}", None, w.student)
    # (both, among any the other test of this module posted, whichever ran first)
    assert {jp, us} <= {m["vacancy"]["vacancy_id"] for m in matches["items"]}
    ahead = token({**written, "revision": written["revision"] + 1})
    r = await w.p.gateway.get(f"/v1/me/matches{ahead}", headers=w.student)
    assert (r.status_code, r.json()["detail"]["reason"]) == (409, "resume_not_here_yet")
    r = await w.p.gateway.get("/v1/me/matches?resume_revision=1", headers=w.student)
    assert (r.status_code, r.json()["detail"]["reason"]) == (422, "incomplete_token")
    # A client sees an anonymous candidate: no id, no name, no school.
    candidates = (await w.get(f"/v1/vacancies/{jp}/candidates", w.client_jp))["items"]
    assert len(candidates) == 1 and candidates[0]["matched_skills"] == ["Python", "SQL"]
    shown = orjson.dumps(candidates).decode()
    for secret in (w.subject, "Hana", "Kyoto"):
        assert secret not in shown

    # A revision just before applying: what is sent is the revision the student wrote.
    revised = {**cv, "skills": ["Python", "SQL", "Go"]}
    r = await w.p.gateway.put("/v1/me/resume", json=revised, headers=w.student)
    assert r.status_code == 200 and r.json()["revision"] == 2, r.text
    to_jp, to_us = await apply(w, jp, token(r.json())), await apply(w, us)
    assert to_jp["status"] == "shared", to_jp
    assert (to_us["status"], to_us["reason"]) == ("blocked", "region_not_covered")
    assert "US" in to_us["missing"]

    # The Japanese client reads the CV it was sent; the American client cannot.
    path = f"/v1/organisation/disclosures/{to_jp['disclosure_id']}"
    received = await w.get(path, w.client_jp)
    assert received["data"]["name"] == "Hana Sato"
    assert received["data"]["resume"]["skills"] == ["Python", "SQL", "Go"]
    await w.get(path, w.client_us, status=404)
    assert (await w.get("/v1/organisation/disclosures", w.client_us))["items"] == []

    # The student's own list: exactly the one provision, with everything the record must name.
    mine = (await w.get("/v1/me/disclosures", w.student))["items"]
    assert len(mine) == 1
    record = mine[0]["record"]
    assert record["recipient_legal_name"] == "ORG-JP Inc."
    assert record["recipient_address"] == "1 Main St, JP"
    assert record["recipient_representative"] == "Rep JP"
    assert record["recipient_country"] == "JP"
    assert record["data_items"] == sorted(ITEMS)
    assert record["purpose"] == "client_application"
    assert record["decision"]["reason"] == "consent_granted"
    assert record["decision"]["consent_event_ids"] and record["decision"]["position"]

    # The log says the same: one DataShared, one DataShareBlocked(region_not_covered).
    events = [e for e in await matching_events(w) if e.get("subject_id") in (w.subject, None)]
    shared = [e for e in events if e["type"] == "DataShared"]
    blocked = [e for e in events if e["type"] == "DataShareBlocked"]
    assert [e["payload"]["organization_id"] for e in shared] == ["org-jp"]
    assert [(e["payload"]["organization_id"], e["payload"]["reason"]) for e in blocked] == [
        ("org-us", "region_not_covered")
    ]
    assert {e["type"] for e in events} >= {"ApplicationSubmitted", "MatchScored", "VacancyPosted"}
    # [E] #18: every score is a use for vacancy_assessment citing the decision that allowed it.
    scored = [e["payload"]["use"] for e in events if e["type"] == "MatchScored"]
    assert scored and all(
        u["purpose"] == "vacancy_assessment" and u["basis"] == "consent"
        and u["decision"]["consent_event_ids"] and u["decision"]["position"] for u in scored
    ), scored  # fmt: skip

    # [E] #18 item 6: the student's page lists those uses by purpose, each with its decision.
    async def listed() -> dict[str, Any] | None:
        r = await w.p.gateway.get("/v1/me/uses?purpose=vacancy_assessment", headers=w.student)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body if len(body["items"]) >= len(scored) else None

    page = await eventually(listed)
    assert page["by_purpose"]["vacancy_assessment"] == len(scored) == len(page["items"])
    assert sorted(
        orjson.dumps(u["decision"], option=orjson.OPT_SORT_KEYS) for u in page["items"]
    ) == sorted(orjson.dumps(u["decision"], option=orjson.OPT_SORT_KEYS) for u in scored)
    assert {(u["what"], u["basis"]) for u in page["items"]} == {("score", "consent")}
    # No personal data in the clear in the topics of resumes and matching.
    for producer in ("resumes", "matching"):
        raw = b"".join(r.value for r in await read_topic(w.kafka, topic_for(producer, w.prefix)))
        for plain in (b"Hana Sato", b"hana@example.jp", b"I build web APIs"):
            assert plain not in raw


async def test_a_withdrawal_between_two_applications_blocks_the_second(world: World) -> None:
    person = {"username": "ken", "password": PASSWORD, "name": "Ken Ito", "email": "ken@example.jp"}
    assert (await world.p.gateway.post("/v1/users", json=person)).status_code == 202
    student, subject = await world.p.login("ken", PASSWORD)
    w = replace(world, student=student, subject=subject)  # a student of this test's own
    r = await w.p.gateway.post("/v1/me/resume", json={"skills": ["Go"]}, headers=student)
    assert r.status_code == 201, r.text
    written = token(r.json())
    for round_ in range(5):
        consent_id = await consent(w, "client_application", "org-jp", data_categories=ITEMS)
        first = await apply(w, await vacancy(w, w.client_jp, f"Role {round_}a", "JP", OTHER),
                            written)  # fmt: skip
        second_vacancy = await vacancy(w, w.client_jp, f"Role {round_}b", "JP", OTHER)
        assert first["status"] == "shared", first
        r = await w.p.gateway.delete(f"/v1/me/consents/{consent_id}", headers=w.student)
        assert r.status_code == 200, r.text
        second = await apply(w, second_vacancy)
        assert (second["status"], second["reason"]) == ("blocked", "withdrawn"), second


async def matching_events(w: World) -> list[dict[str, Any]]:
    records = await read_topic(w.kafka, topic_for("matching", w.prefix))
    return [orjson.loads(r.value) for r in records]


async def test_every_service_answers_its_metrics(world: World) -> None:
    """A scrape is what the alerts read: each service answers it with its readiness checks
    (the matching service's once failed on a worker's figures: a 500 to every scrape)."""
    p = world.p
    for app in (p.identity, p.consent, p.resumes, p.matching, p.gateway_app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://svc"
        ) as c:
            r = await c.get("/metrics")
        assert r.status_code == 200, (app.title, r.text)
        assert "ac_ready{" in r.text, app.title
