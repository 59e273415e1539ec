"""[B] #17 acceptance, end to end through the gateway over real Kafka and PostgreSQL.

A seeded history (`tests/support/incident_seed.py`: provisions to three clients, one of
them in Germany, and to a processor; erasures before, inside and after a window) is in the
log; staff open an incident "the DE client's copy of CVs leaked between two dates" and
scope it: the affected set, computed by the audit's replay of the log, equals exactly the
people the generator's own ground truth says had their CV provided to that client in the
window and were not erased before it; it is reportable because special-care data is in
it; the deadline warnings fire on the desk's clock (moved, never slept through); the
preliminary and final reports are generated and recorded.

`make test` seeds 300 people; `AC_INCIDENT_PEOPLE=5000` runs the issue's full size.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from ac_desk.incident_commands import Incidents
from ac_events.catalogue import DataCategory
from tests.support.audit_seed import MemoryKeyring
from tests.support.incident_seed import PROCESSOR, IncidentHistory, seed_incident_history
from tests.support.infra import Infra, unique_prefix
from tests.support.pages import every_item
from tests.support.platform import PASSWORD, SUPERVISOR, Platform, platform
from tests.support.wait import eventually

PEOPLE = int(os.environ.get("AC_INCIDENT_PEOPLE", "300"))


@pytest.fixture(scope="module")
async def seeded(infra: Infra) -> AsyncIterator[tuple[Platform, IncidentHistory, dict[str, str]]]:
    prefix = unique_prefix()
    async with platform(infra, prefix) as p:
        truth = await seed_incident_history(
            infra.kafka_bootstrap_servers, prefix, MemoryKeyring(), people=PEOPLE
        )
        staff, _ = await p.login(SUPERVISOR, PASSWORD)
        yield p, truth, staff


def incidents(p: Platform) -> Incidents:
    found = p.desk.state.deps.incidents
    assert isinstance(found, Incidents)
    return found


async def open_and_scope(
    p: Platform, staff: dict[str, str], truth: IncidentHistory, recipient: str, category: str
) -> dict[str, Any]:
    start, end = truth.window
    body = {"title": f"{recipient}'s copy of {category} leaked", "started_at": start.isoformat(),
            "ended_at": end.isoformat(),
            "discovered_at": (p.desk_clock() - timedelta(minutes=1)).isoformat(),
            "systems": ["matching"], "recipients": [recipient], "data_categories": [category],
            "cause": "a misconfigured share at the client"}  # fmt: skip
    r = await p.gateway.post("/v1/incidents", json=body, headers=staff)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "open" and r.json()["reportable"] is None
    incident_id = r.json()["incident_id"]
    r = await p.gateway.post(f"/v1/incidents/{incident_id}/scope", headers=staff)
    assert r.status_code == 202, r.text

    async def scoped() -> dict[str, Any] | None:
        r = await p.gateway.get(f"/v1/incidents/{incident_id}", headers=staff)
        assert r.status_code == 200 and r.json()["scope_failed"] is None, r.text
        out: dict[str, Any] = r.json()
        return out if out["status"] == "scoped" else None

    return await eventually(scoped, timeout_s=600)  # the audit replays the whole log


async def people_of(p: Platform, staff: dict[str, str], incident_id: str) -> dict[str, Any]:
    items = await every_item(p.gateway, f"/v1/incidents/{incident_id}/people", staff)
    return {item["subject_id"]: item for item in items}


async def test_the_de_clients_leak_of_cvs_touches_exactly_who_the_log_says(
    seeded: tuple[Platform, IncidentHistory, dict[str, str]],
) -> None:
    p, truth, staff = seeded
    expected = truth.touched("org-de-1", DataCategory.RESUME)
    special = truth.special("org-de-1", DataCategory.RESUME)
    assert 0 < len(special) < len(expected) < PEOPLE  # the history exercises every case
    erased_inside = {s for s, at in truth.erased_at.items() if truth.window[0] <= at}
    assert expected & erased_inside, "someone erased inside the window is still touched"

    scoped = await open_and_scope(p, staff, truth, "org-de-1", "resume")

    people = await people_of(p, staff, scoped["incident_id"])
    assert set(people) == expected
    assert {s for s, a in people.items() if a["special_care"]} == special
    assert scoped["people"] == len(expected)
    assert scoped["by_category"] == {"resume": len(expected)}
    assert scoped["special_care"] == len(special)
    assert scoped["status"] == "scoped" and scoped["reportable"] is True
    assert "special_care" in scoped["reasons"]


async def test_a_leak_without_special_care_data_is_reportable_only_past_1000_people(
    seeded: tuple[Platform, IncidentHistory, dict[str, str]],
) -> None:
    p, truth, staff = seeded
    expected = truth.touched(PROCESSOR, DataCategory.NAME)
    assert expected and not truth.special(PROCESSOR, DataCategory.NAME)

    scoped = await open_and_scope(p, staff, truth, PROCESSOR, "name")

    assert set(await people_of(p, staff, scoped["incident_id"])) == expected
    assert scoped["reportable"] is (len(expected) > 1000)
    assert scoped["reasons"] == (["over_1000"] if len(expected) > 1000 else [])
    if not scoped["reportable"]:
        r = await p.gateway.post(f"/v1/incidents/{scoped['incident_id']}/reports",
                                 json={"stage": "preliminary"}, headers=staff)  # fmt: skip
        assert r.status_code == 409 and r.json()["detail"]["reason"] == "incident_not_reportable"


async def test_deadlines_warn_once_each_and_both_reports_are_generated(
    seeded: tuple[Platform, IncidentHistory, dict[str, str]],
) -> None:
    p, truth, staff = seeded
    scoped = await open_and_scope(p, staff, truth, "org-de-1", "resume")
    incident_id, path = scoped["incident_id"], f"/v1/incidents/{scoped['incident_id']}"
    desk = incidents(p)

    async def warned() -> list[str]:
        r = await p.gateway.get(path, headers=staff)
        assert r.status_code == 200, r.text
        stages: list[str] = r.json()["warned"]
        return stages

    await desk.deadlines()
    assert await warned() == []  # three days left
    p.desk_clock.skip(timedelta(days=2, hours=1))  # less than a day before the preliminary
    await desk.deadlines()
    await desk.deadlines()  # once only
    assert await warned() == ["preliminary"]

    page = await p.gateway.get(f"{path}/report", params={"stage": "preliminary"}, headers=staff)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert f"<td>{scoped['people']}</td>" in page.text and "special_care" in page.text
    r = await p.gateway.post(f"{path}/reports", json={"stage": "final"}, headers=staff)
    assert r.status_code == 409 and r.json()["detail"]["reason"] == "preliminary_first"
    r = await p.gateway.post(f"{path}/reports", json={"stage": "preliminary"}, headers=staff)
    assert r.status_code == 200, r.text
    assert [(x["stage"], x["late"]) for x in r.json()["reports"]] == [("preliminary", False)]

    p.desk_clock.skip(timedelta(days=21))  # less than a week before the final one (day 30)
    await desk.deadlines()
    assert await warned() == ["final", "preliminary"]
    r = await p.gateway.post(f"{path}/reports", json={"stage": "final"}, headers=staff)
    assert r.status_code == 200, r.text
    assert [x["stage"] for x in r.json()["reports"]] == ["preliminary", "final"]
    r = await p.gateway.post(f"{path}/close", json={}, headers=staff)
    assert r.status_code == 409 and r.json()["detail"]["reason"] == "notices_missing"
    body = {"no_notice_reason": "test: notices are not sent here",
            "public_announcement": "published on the site"}  # fmt: skip
    r = await p.gateway.post(f"{path}/close", json=body, headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "closed", r.text
    assert incident_id
