"""Every `/v1` route against every kind of caller, through the gateway to the real services.

Callers: anonymous, student A, student B, client X (of org X), client Y (of
org Y), staff, auditor. Each cell is asserted. Identity and consent run as
real HTTP servers over real PostgreSQL and Kafka (tests/support/platform.py).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ac_events.catalogue import Role
from ac_identity.accounts import Profile
from tests.support.infra import Infra, unique_prefix
from tests.support.platform import Platform, platform

PASSWORD = "correct horse battery staple"
ACTORS = ("anonymous", "student_a", "student_b", "client_x", "client_y", "staff", "auditor")
counter = itertools.count()


@dataclass
class World:
    p: Platform
    headers: dict[str, dict[str, str]]
    subjects: dict[str, str]
    consent_of_a: str
    notice: str
    transfer: str
    alert_of_a: str
    vacancy_x: str
    vacancy_to_close: str
    disclosure_to_x: str

    async def call(self, actor: str, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.p.gateway.request(method, path, json=body, headers=self.headers[actor])


async def login(p: Platform, username: str) -> tuple[dict[str, str], str]:
    r = await p.gateway.post("/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}, r.json()["subject_id"]


def person(username: str) -> dict[str, str]:
    return {"username": username, "password": PASSWORD, "name": username.title(),
            "email": f"{username}@example.jp"}  # fmt: skip


@pytest.fixture(scope="module")
async def world(infra: Infra) -> AsyncIterator[World]:
    async with platform(infra, unique_prefix(), notifications=True) as p:
        staff_profile = Profile(username="staff", name="Staff", email="staff@example.jp")
        await p.accounts.register(staff_profile, PASSWORD, Role.STAFF)
        headers: dict[str, dict[str, str]] = {"anonymous": {}}
        subjects: dict[str, str] = {}
        headers["staff"], subjects["staff"] = await login(p, "staff")
        staff = headers["staff"]
        for org_id in ("org-x", "org-y"):
            body: dict[str, Any] = {"organization_id": org_id, "legal_name": f"{org_id} K.K.", "address": "Tokyo",
                    "representative": "Rep", "country": "JP"}  # fmt: skip
            assert (
                await p.gateway.post("/v1/organisations", json=body, headers=staff)
            ).status_code == 201
        made: list[tuple[str, str, str | None]] = [
            ("client_x", "client", "org-x"),
            ("client_y", "client", "org-y"),
            ("auditor", "auditor", None),
        ]
        for actor, role, org in made:
            body = {**person(actor.replace("_", ".")), "role": role, "organization_id": org}
            r = await p.gateway.post("/v1/accounts", json=body, headers=staff)
            assert r.status_code == 201, r.text
            headers[actor], subjects[actor] = await login(p, actor.replace("_", "."))
        for actor in ("student_a", "student_b"):
            r = await p.gateway.post("/v1/users", json=person(actor.replace("_", ".")))
            assert r.status_code == 201, r.text
            headers[actor], subjects[actor] = await login(p, actor.replace("_", "."))
        policy = {
            "policy_version": "v1",
            "effective_at": "2026-04-01T00:00:00Z",
            "text_sha256": "a" * 64,
        }
        assert (await p.gateway.post("/v1/policies", json=policy, headers=staff)).status_code == 201
        grant = {"purpose": "client_application", "recipient": "org-x", "region": "JP",
                 "data_categories": ["resume"], "policy_version": "v1"}  # fmt: skip
        for _ in range(300):  # until consent has consumed the organisations from identity
            r = await p.gateway.post("/v1/me/consents", json=grant, headers=headers["student_a"])
            if r.status_code == 201:
                break
            await asyncio.sleep(0.1)
        assert r.status_code == 201, r.text
        notice = {"country": "US", "country_name": "USA", "protection_system": "Sectoral laws.",
                  "recipient_measures": "Contracts."}  # fmt: skip
        sha = (await p.gateway.post("/v1/country-notices", json=notice, headers=staff)).json()[
            "notice_sha256"
        ]
        deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        transfer = {"acquirer": "org-y", "acquirer_name": "Y", "purposes": ["client_application"],
                    "opt_out_deadline": deadline}  # fmt: skip
        t = await p.gateway.post("/v1/transfers", json=transfer, headers=staff)
        alert = await p.gateway.post(
            "/v1/me/alerts", json={"keywords": ["python"]}, headers=headers["student_a"]
        )
        assert alert.status_code == 201, alert.text
        a = headers["student_a"]
        assessment = {"purpose": "vacancy_assessment", "policy_version": "v1"}
        assert (
            await p.gateway.post("/v1/me/consents", json=assessment, headers=a)
        ).status_code == 201
        cv = {"skills": ["Python", "SQL"], "desired_roles": ["Backend engineer"]}
        assert (await p.gateway.post("/v1/me/resume", json=cv, headers=a)).status_code == 201
        vacancy = {"title": "Backend engineer", "skills": ["Python"], "location_country": "JP"}
        posted = [
            await p.until_done("POST", "/v1/vacancies", vacancy, headers[c])
            for c in ("client_x", "client_x")
        ]
        applied = await p.until_done(
            "POST", "/v1/me/applications",
            {"vacancy_id": posted[0]["vacancy_id"], "data_items": ["resume"]}, a,
        )  # fmt: skip
        assert applied["status"] == "shared", applied
        yield World(
            p,
            headers,
            subjects,
            r.json()["consent_id"],
            sha,
            t.json()["transfer_id"],
            alert.json()["subscription_id"],
            posted[0]["vacancy_id"],
            posted[1]["vacancy_id"],
            applied["disclosure_id"],
        )


def expect(default: int, anonymous: int = 401, **cells: int) -> dict[str, int]:
    return {"anonymous": anonymous, **{a: default for a in ACTORS[1:]}, **cells}


STUDENTS_ONLY = {"client_x": 403, "client_y": 403, "staff": 403, "auditor": 403}
CLIENTS_ONLY = {a: 403 for a in ("student_a", "student_b", "staff", "auditor")}
STAFF_ONLY = {a: 403 for a in ("student_a", "student_b", "client_x", "client_y", "auditor")}
AUDIT = {a: 403 for a in ("student_a", "student_b", "client_x", "client_y")}


def n() -> int:
    return next(counter)


Route = tuple[str, str, Callable[["World"], str], Callable[["World"], Any], dict[str, int]]

ROUTES: list[Route] = [
    ("GET", "/v1/me", lambda w: "/v1/me", lambda w: None, expect(200)),
    ("PATCH", "/v1/me", lambda w: "/v1/me", lambda w: {"school": "Tokyo Tech"}, expect(200)),
    ("GET", "/v1/me/export", lambda w: "/v1/me/export", lambda w: None, expect(200)),
    ("GET", "/v1/me/consents", lambda w: "/v1/me/consents", lambda w: None, expect(200, **STUDENTS_ONLY)),
    ("POST", "/v1/me/consents", lambda w: "/v1/me/consents",
     lambda w: {"purpose": "marketing", "policy_version": "v1"}, expect(201, **STUDENTS_ONLY)),
    # B may not withdraw A's consent: on B's own record it does not exist.
    ("DELETE", "/v1/me/consents/{id}", lambda w: f"/v1/me/consents/{w.consent_of_a}", lambda w: None,
     expect(200, student_b=422, **STUDENTS_ONLY)),
    ("POST", "/v1/me/transfer-objections", lambda w: "/v1/me/transfer-objections",
     lambda w: {"transfer_id": w.transfer}, expect(201, **STUDENTS_ONLY)),
    ("GET", "/v1/policies", lambda w: "/v1/policies", lambda w: None, expect(200)),
    ("GET", "/v1/country-notices/{sha}", lambda w: f"/v1/country-notices/{w.notice}", lambda w: None,
     expect(200)),
    # A client sees only its own organisation.
    ("GET", "/v1/organisations/{id}", lambda w: "/v1/organisations/org-x", lambda w: None,
     expect(200, client_y=404)),
    ("POST", "/v1/organisations", lambda w: "/v1/organisations",
     lambda w: {"organization_id": f"org-{n()}", "legal_name": "L", "address": "A",
                "representative": "R", "country": "JP"}, expect(201, **STAFF_ONLY)),
    ("POST", "/v1/accounts", lambda w: "/v1/accounts",
     lambda w: {**person(f"aud{n()}"), "role": "auditor"}, expect(201, **STAFF_ONLY)),
    ("POST", "/v1/policies", lambda w: "/v1/policies",
     lambda w: {"policy_version": f"v1.{n()}", "effective_at": "2026-05-01T00:00:00Z",
                "text_sha256": "b" * 64}, expect(201, **STAFF_ONLY)),
    ("POST", "/v1/transfers", lambda w: "/v1/transfers",
     lambda w: {"acquirer": "org-x", "acquirer_name": "X", "purposes": ["marketing"],
                "opt_out_deadline": (datetime.now(UTC) + timedelta(days=9)).isoformat()},
     expect(201, **STAFF_ONLY)),
    ("POST", "/v1/country-notices", lambda w: "/v1/country-notices",
     lambda w: {"country": "DE", "country_name": f"Germany {n()}", "protection_system": "GDPR",
                "recipient_measures": "SCCs"}, expect(201, **STAFF_ONLY)),
    ("GET", "/v1/audit/subjects/{id}/consents",
     lambda w: f"/v1/audit/subjects/{w.subjects['student_a']}/consents", lambda w: None,
     expect(200, **AUDIT)),
    ("POST", "/v1/audit/decisions", lambda w: "/v1/audit/decisions",
     lambda w: {"subject_id": w.subjects["student_a"], "purpose": "client_application",
                "recipient": "org-x", "region": "JP"}, expect(200, **AUDIT)),
    ("POST", "/v1/auth/logout", lambda w: "/v1/auth/logout",
     lambda w: {"refresh_token": "not-a-real-refresh-token"}, expect(204)),
    ("GET", "/v1/me/notifications", lambda w: "/v1/me/notifications", lambda w: None, expect(200)),
    ("GET", "/v1/me/alerts", lambda w: "/v1/me/alerts", lambda w: None, expect(200)),
    ("POST", "/v1/me/alerts", lambda w: "/v1/me/alerts", lambda w: {"keywords": ["go"]},
     expect(201, **STUDENTS_ONLY)),
    # B may not end A's job alert: it is not B's.
    ("DELETE", "/v1/me/alerts/{subscription_id}", lambda w: f"/v1/me/alerts/{w.alert_of_a}",
     lambda w: None, expect(204, student_b=404, **STUDENTS_ONLY)),
    ("GET", "/v1/unsubscribe", lambda w: "/v1/unsubscribe?token=forged-token-0123456789",
     lambda w: None, expect(400, anonymous=400)),
    ("POST", "/v1/campaigns", lambda w: "/v1/campaigns",
     lambda w: {"purpose": "marketing", "headline": "News", "body": "Hello"}, expect(201, **STAFF_ONLY)),
    # A's CV exists; B has none until B submits one.
    ("POST", "/v1/me/resume", lambda w: "/v1/me/resume", lambda w: {"skills": ["Go"]},
     expect(201, student_a=409, **STUDENTS_ONLY)),
    ("PUT", "/v1/me/resume", lambda w: "/v1/me/resume", lambda w: {"skills": ["Python", "Go"]},
     expect(200, **STUDENTS_ONLY)),
    ("GET", "/v1/me/resume", lambda w: "/v1/me/resume", lambda w: None, expect(200, **STUDENTS_ONLY)),
    # B has not consented to vacancy_assessment.
    ("GET", "/v1/me/matches", lambda w: "/v1/me/matches", lambda w: None,
     expect(200, student_b=403, **STUDENTS_ONLY)),
    # A's data went to X already; B's application is recorded, and blocked (no consent).
    ("POST", "/v1/me/applications", lambda w: "/v1/me/applications",
     lambda w: {"vacancy_id": w.vacancy_x}, expect(201, student_a=409, **STUDENTS_ONLY)),
    ("GET", "/v1/me/applications", lambda w: "/v1/me/applications", lambda w: None,
     expect(200, **STUDENTS_ONLY)),
    ("GET", "/v1/me/disclosures", lambda w: "/v1/me/disclosures", lambda w: None,
     expect(200, **STUDENTS_ONLY)),
    ("DELETE", "/v1/me/resume", lambda w: "/v1/me/resume", lambda w: None,
     expect(204, **STUDENTS_ONLY)),
    ("GET", "/v1/vacancies", lambda w: "/v1/vacancies", lambda w: None, expect(200)),
    ("GET", "/v1/vacancies/{vacancy_id}", lambda w: f"/v1/vacancies/{w.vacancy_x}", lambda w: None,
     expect(200)),
    ("POST", "/v1/vacancies", lambda w: "/v1/vacancies",
     lambda w: {"title": "Sales", "location_country": "JP"}, expect(201, **CLIENTS_ONLY)),
    # Only X may close X's vacancy (Y is told there is no such vacancy of its own).
    ("POST", "/v1/vacancies/{vacancy_id}/close", lambda w: f"/v1/vacancies/{w.vacancy_to_close}/close",
     lambda w: None, expect(200, client_y=404, **CLIENTS_ONLY)),
    ("GET", "/v1/vacancies/{vacancy_id}/candidates",
     lambda w: f"/v1/vacancies/{w.vacancy_x}/candidates", lambda w: None,
     expect(200, client_y=404, **{**CLIENTS_ONLY, "staff": 200})),
    ("GET", "/v1/organisation/disclosures", lambda w: "/v1/organisation/disclosures",
     lambda w: None, expect(200, **CLIENTS_ONLY)),
    # What was shared with X: X reads it, Y cannot.
    ("GET", "/v1/organisation/disclosures/{disclosure_id}",
     lambda w: f"/v1/organisation/disclosures/{w.disclosure_to_x}", lambda w: None,
     expect(200, client_y=404, **CLIENTS_ONLY)),
    ("POST", "/v1/legal-disclosures", lambda w: "/v1/legal-disclosures",
     lambda w: {"subject_id": w.subjects["student_a"], "organization_id": "org-y",
                "data_items": ["name"], "legal_basis": "laws_and_regulations",
                "legal_reference": f"court order {n()}"}, expect(201, **STAFF_ONLY)),
    ("GET", "/v1/audit/subjects/{subject_id}/disclosures",
     lambda w: f"/v1/audit/subjects/{w.subjects['student_a']}/disclosures", lambda w: None,
     expect(200, **AUDIT)),
    ("GET", "/v1/audit/checks", lambda w: "/v1/audit/checks", lambda w: None, expect(200, **AUDIT)),
    ("GET", "/v1/audit/report", lambda w: f"/v1/audit/report?subject={w.subjects['student_a']}",
     lambda w: None, expect(200, **AUDIT)),
    ("GET", "/v1/audit/subjects/{subject_id}/record",
     lambda w: f"/v1/audit/subjects/{w.subjects['student_a']}/record", lambda w: None,
     expect(200, **AUDIT)),
    ("GET", "/v1/auth/jwks", lambda w: "/v1/auth/jwks", lambda w: None, expect(200, anonymous=200)),
    ("POST", "/v1/auth/refresh", lambda w: "/v1/auth/refresh",
     lambda w: {"refresh_token": "not-a-real-refresh-token"}, expect(401, anonymous=401)),
    ("POST", "/v1/email-verifications", lambda w: "/v1/email-verifications",
     lambda w: {"token": "not-a-real-verification-token"}, expect(400, anonymous=400)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "name", "path", "body", "cells"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES]
)
async def test_every_caller_on_every_route(
    world: World,
    method: str,
    name: str,
    path: Callable[[World], str],
    body: Callable[[World], Any],
    cells: dict[str, int],
) -> None:
    got = {}
    for actor in ACTORS:
        r = await world.call(actor, method, path(world), body(world))
        got[actor] = r.status_code
        assert r.status_code < 500, (actor, r.text)
        assert "Traceback" not in r.text
    assert got == cells


def test_the_matrix_covers_every_v1_route() -> None:
    from ac_gateway.app import create_app

    app = create_app()
    routes = {
        (m, r.path)  # type: ignore[attr-defined]
        for r in app.routes
        if getattr(r, "path", "").startswith("/v1")
        for m in r.methods  # type: ignore[attr-defined]
    }
    covered = {(m, p.replace("{id}", "{consent_id}")) for m, p, *_ in ROUTES}
    aliases = {
        "/v1/me/consents/{consent_id}": "/v1/me/consents/{consent_id}",
        "/v1/country-notices/{sha}": "/v1/country-notices/{notice_sha256}",
        "/v1/organisations/{consent_id}": "/v1/organisations/{organization_id}",
        "/v1/audit/subjects/{consent_id}/consents": "/v1/audit/subjects/{subject_id}/consents",
    }
    covered = {(m, aliases.get(p, p)) for m, p in covered}
    public = {("POST", "/v1/users"), ("POST", "/v1/auth/login"), ("DELETE", "/v1/me")}
    assert routes - covered - public == set()
