"""The resumes service over real Kafka and PostgreSQL, through the gateway.

The sensitive-data guard refuses a CV that reveals a special care-required
category (in English, in Japanese, inside a PDF) with 422 naming the
categories; volunteering them records the person's consent to acquire them
and `SensitiveDataDeclared`, and later provisions of the CV must name them.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from fpdf import FPDF

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from ac_events.kafka import topic_for
from tests.support.infra import Infra, unique_prefix
from tests.support.kafka import read_topic
from tests.support.platform import Platform, platform
from tests.support.policy import texts

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    p: Platform
    prefix: str
    kafka: str
    staff: dict[str, str]


@pytest.fixture(scope="module")
async def world(infra: Infra) -> AsyncIterator[World]:
    prefix = unique_prefix()
    async with platform(infra, prefix) as p:
        await p.accounts.register(
            Profile(username="staff", name="S", email="staff@example.jp"), PASSWORD, Role.STAFF
        )
        staff = (await p.login("staff", PASSWORD))[0]
        policy = {"policy_version": "v1", "effective_at": "2026-04-01T00:00:00Z",
                  "texts": texts("v1")}  # fmt: skip
        assert (await p.gateway.post("/v1/policies", json=policy, headers=staff)).status_code == 201
        yield World(p, prefix, infra.kafka_bootstrap_servers, staff)


async def student(w: World, username: str) -> dict[str, str]:
    body = {"username": username, "password": PASSWORD, "name": username.title(),
            "email": f"{username}@example.jp"}  # fmt: skip
    assert (await w.p.gateway.post("/v1/users", json=body)).status_code == 202
    return (await w.p.login(username, PASSWORD))[0]


async def submit(w: World, who: dict[str, str], body: dict[str, Any], method: str = "POST") -> Any:
    return await w.p.gateway.request(method, "/v1/me/resume", json=body, headers=who)


def pdf(*lines: str) -> str:
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    for line in lines:
        doc.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return base64.b64encode(bytes(doc.output())).decode()


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        ("I am a practising Buddhist and volunteer at my temple.", ["beliefs_religion"]),
        ("私はうつ病で一年間休学しました。", ["sex_life_health"]),
        ("I was convicted of shoplifting in 2021.", ["criminal_history"]),
        ("労働組合の委員長を務めました。", ["collective_bargaining"]),
    ],
)
async def test_a_cv_revealing_sensitive_data_is_refused_naming_the_categories(
    world: World, text: str, categories: list[str]
) -> None:
    who = await student(world, f"s{abs(hash(text)) % 10**8}")
    r = await submit(world, who, {"skills": ["Python"], "free_text": text})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert (detail["reason"], detail["categories"]) == ("sensitive_data", categories)
    assert (await world.p.gateway.get("/v1/me/resume", headers=who)).status_code == 404


async def test_ordinary_uses_of_the_same_words_pass(world: World) -> None:
    who = await student(world, "ordinary")
    text = "Built claims software for a health insurance company; took a criminal law seminar."
    r = await submit(world, who, {"skills": ["Java"], "free_text": text})
    assert r.status_code == 201, r.text
    assert r.json()["declared_sensitive"] == []


async def test_volunteered_categories_are_recorded_with_a_consent_to_acquire_them(
    world: World,
) -> None:
    w = world
    who = await student(w, "volunteer")
    text = "I am a practising Buddhist and volunteer at my temple."
    volunteer = {"categories": ["beliefs_religion"], "policy_version": "v1"}
    r = await submit(w, who, {"skills": ["Python"], "free_text": text, "volunteer": volunteer})
    assert r.status_code == 201, r.text
    assert r.json()["declared_sensitive"] == ["beliefs_religion"]
    page = (await w.p.gateway.get("/v1/me/consents", headers=who)).json()
    acquired = [c for c in page["consents"] if c["sensitive_categories"] == ["beliefs_religion"]]
    assert [c["purpose"] for c in acquired] == ["recruitment_services"]
    # A revision may keep what was volunteered, without volunteering it again...
    r = await submit(w, who, {"skills": ["Go"], "free_text": text}, "PUT")
    assert (r.status_code, r.json()["revision"]) == (200, 2)
    # ... but not reveal a category that was not.
    r = await submit(w, who, {"free_text": text + " I was convicted of theft in 2020."}, "PUT")
    assert r.json()["detail"]["categories"] == ["criminal_history"]

    events = [
        orjson.loads(x.value) for x in await read_topic(w.kafka, topic_for("resumes", w.prefix))
    ]
    types = [e["type"] for e in events if e["subject_id"] == page["subject_id"]]
    assert types == ["SensitiveDataDeclared", "ResumeSubmitted", "ResumeRevised"]
    raw = b"".join(orjson.dumps(e) for e in events)
    assert b"Buddhist" not in raw and b"temple" not in raw  # the CV travels encrypted


async def test_a_provision_of_a_cv_with_volunteered_data_must_name_it(world: World) -> None:
    w = world
    who = await student(w, "sharer")
    org = {"organization_id": "org-r", "legal_name": "R K.K.", "address": "Osaka",
           "representative": "Rep", "country": "JP"}  # fmt: skip
    assert (
        await w.p.gateway.post("/v1/organisations", json=org, headers=w.staff)
    ).status_code == 201
    client = {"username": "client.r", "password": PASSWORD, "name": "C", "email": "c@r.example",
              "role": "client", "organization_id": "org-r"}  # fmt: skip
    assert (await w.p.gateway.post("/v1/accounts", json=client, headers=w.staff)).status_code == 201
    client_r = (await w.p.login("client.r", PASSWORD))[0]
    volunteer = {"categories": ["sex_life_health"], "policy_version": "v1"}
    cv = {"skills": ["Python"], "free_text": "I have type 1 diabetes.", "volunteer": volunteer}
    assert (await submit(w, who, cv)).status_code == 201
    share = {"purpose": "client_application", "recipient": "org-r", "policy_version": "v1",
             "data_categories": ["resume"]}  # fmt: skip
    consent = await w.p.until_done("POST", "/v1/me/consents", share, who)
    body = {"title": "Data analyst", "location_country": "JP"}
    vacancy = await w.p.until_done("POST", "/v1/vacancies", body, client_r)
    apply = {"vacancy_id": vacancy["vacancy_id"], "data_items": ["resume"]}
    blocked = await w.p.until_done("POST", "/v1/me/applications", apply, who)
    assert (blocked["status"], blocked["reason"]) == ("blocked", "sensitive_not_covered")
    assert "sex_life_health" in blocked["missing"]
    await w.p.gateway.delete(f"/v1/me/consents/{consent['consent_id']}", headers=who)
    share["sensitive_categories"] = ["sex_life_health"]
    assert (await w.p.gateway.post("/v1/me/consents", json=share, headers=who)).status_code == 201
    shared = await w.p.until_done("POST", "/v1/me/applications", apply, who)
    assert shared["status"] == "shared", shared
    mine = (await w.p.gateway.get("/v1/me/disclosures", headers=who)).json()["items"]
    assert [d["record"]["sensitive_items"] for d in mine] == [["sex_life_health"]]


async def test_a_pdf_is_read_and_guarded_like_the_rest(world: World) -> None:
    w = world
    who = await student(w, "pdfer")
    clean = pdf("Hanako Sato", "Skills: Rust, Kubernetes")
    r = await submit(w, who, {"pdf_base64": clean})
    assert r.status_code == 201, r.text
    assert r.json()["has_pdf"] is True
    assert "Kubernetes" in r.json()["content"]["pdf_text"]
    revealing = pdf("Skills: Rust", "I was convicted of fraud in 2019.")
    r = await submit(w, who, {"pdf_base64": revealing}, "PUT")
    assert (r.status_code, r.json()["detail"]["categories"]) == (422, ["criminal_history"])
    r = await submit(w, who, {"pdf_base64": base64.b64encode(b"not a pdf").decode()}, "PUT")
    assert (r.status_code, r.json()["detail"]["reason"]) == (422, "bad_pdf")
    r = await submit(w, who, {"pdf_base64": "%%%"}, "PUT")
    assert (r.status_code, r.json()["detail"]["reason"]) == (422, "bad_pdf")


async def test_submit_revise_delete(world: World) -> None:
    w = world
    who = await student(w, "reviser")
    assert (await submit(w, who, {"skills": ["C"]}, "PUT")).status_code == 404
    assert (await submit(w, who, {"skills": ["C"]})).status_code == 201
    assert (await submit(w, who, {"skills": ["C"]})).status_code == 409
    revised = await submit(w, who, {"skills": ["C", "Zig"]}, "PUT")
    assert revised.json()["content"]["skills"] == ["C", "Zig"]
    assert (await w.p.gateway.delete("/v1/me/resume", headers=who)).status_code == 204
    assert (await w.p.gateway.get("/v1/me/resume", headers=who)).status_code == 404
    assert (await w.p.gateway.delete("/v1/me/resume", headers=who)).status_code == 404
    again = await submit(w, who, {"skills": ["Rust"]})
    assert (again.status_code, again.json()["revision"]) == (201, 1)
