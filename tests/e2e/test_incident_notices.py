"""[B] #17: each person an incident touched gets exactly one notice, counted at the SMTP
server. Real people apply to two clients through the gateway (each application a
provision in the log); an incident at one client is scoped, its people notified (twice
asked, each told once), and nobody else gets a notice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.desk import PASSWORD, DeskRig, Someone
from tests.support.infra import Infra, unique_prefix
from tests.support.platform import PASSWORD as STAFF_PASSWORD
from tests.support.platform import SUPERVISOR, platform
from tests.support.wait import eventually

ITEMS = ["name", "school", "resume"]


@pytest.fixture(scope="module")
async def rig(infra: Infra) -> AsyncIterator[DeskRig]:
    prefix = unique_prefix()
    async with platform(infra, prefix, notifications=True) as p:
        yield DeskRig(p, prefix, infra.kafka_bootstrap_servers)


async def a_vacancy(rig: DeskRig, staff: dict[str, str], name: str) -> str:
    org = {"organization_id": f"org-{name}", "legal_name": f"{name.title()} K.K.",
           "address": "1-1 Chiyoda", "representative": "Rep", "country": "JP"}  # fmt: skip
    assert (await rig.gw.post("/v1/organisations", json=org, headers=staff)).status_code == 201
    user = {"username": f"{name}.hr", "password": PASSWORD, "name": "HR", "language": "en",
            "email": f"hr@{name}.example", "role": "client", "organization_id": f"org-{name}"}  # fmt: skip
    assert (await rig.gw.post("/v1/accounts", json=user, headers=staff)).status_code == 201
    client, _ = await rig.p.login(f"{name}.hr", PASSWORD)
    vacancy = {"title": "Intern", "skills": ["Python"], "location_country": "JP"}
    return str((await rig.p.until_done("POST", "/v1/vacancies", vacancy, client))["vacancy_id"])


async def apply(rig: DeskRig, who: Someone, vacancy_id: str, org: str, version: str) -> None:
    grant = {"purpose": "client_application", "recipient": org, "region": "JP",
             "data_categories": ITEMS, "policy_version": version}  # fmt: skip
    await rig.p.until_done("POST", "/v1/me/consents", grant, who.headers)
    cv = {"skills": ["Python"], "desired_roles": ["Intern"]}
    r = await rig.gw.post("/v1/me/resume", json=cv, headers=who.headers)
    assert r.status_code in (201, 409), r.text
    body = {"vacancy_id": vacancy_id, "data_items": ITEMS}
    out: dict[str, Any] = await rig.p.until_done("POST", "/v1/me/applications", body, who.headers)
    assert out["status"] == "shared", out


async def test_each_person_touched_gets_exactly_one_notice(rig: DeskRig) -> None:
    version = (await rig.gw.get("/v1/policy")).json()["current"]["policy_version"]
    staff, _ = await rig.p.login(SUPERVISOR, STAFF_PASSWORD)
    leaky, other = await a_vacancy(rig, staff, "leaky"), await a_vacancy(rig, staff, "other")
    start = datetime.now(UTC) - timedelta(minutes=1)
    people = [await rig.student(f"touched{i}", policy_version=version) for i in range(3)]
    bystander = await rig.student("bystander", policy_version=version)
    for who in people:
        await apply(rig, who, leaky, "org-leaky", version)
    await apply(rig, bystander, other, "org-other", version)

    body = {"title": "Leaky K.K.'s copy of CVs leaked", "started_at": start.isoformat(),
            "discovered_at": rig.p.desk_clock().isoformat(), "recipients": ["org-leaky"],
            "data_categories": ["resume"]}  # fmt: skip
    r = await rig.gw.post("/v1/incidents", json=body, headers=staff)
    assert r.status_code == 201, r.text
    path = f"/v1/incidents/{r.json()['incident_id']}"

    async def scoped() -> dict[str, Any] | None:
        await rig.gw.post(f"{path}/scope", headers=staff)  # again: the provisions' records
        r = await rig.gw.get(path, headers=staff)  # reach the log a little later
        out: dict[str, Any] = r.json()
        return out if out["status"] == "scoped" and out["people"] == len(people) else None

    assert (await eventually(scoped, timeout_s=60))["reportable"] is False
    for _ in range(2):  # asked twice: each person is told once
        r = await rig.gw.post(f"{path}/notices", headers=staff)
        assert r.status_code == 200 and r.json()["notified"] == len(people), r.text

    smtp = rig.p.smtp
    assert smtp is not None
    subject = "An incident concerning your personal data"

    async def all_told() -> bool:
        return all(any(m.subject == subject for m in smtp.inbox.to(w.email)) for w in people)

    await eventually(all_told)
    r = await rig.gw.post(f"{path}/close", json={}, headers=staff)
    assert r.status_code == 200, r.text  # reported (not needed) and notified: handled
    for who in people:
        told = [m for m in smtp.inbox.to(who.email) if m.subject == subject]
        assert len(told) == 1 and "resume" in told[0].body, [m.subject for m in told]
    assert not [m for m in smtp.inbox.to(bystander.email) if m.subject == subject]
