"""[B] #17: the register of processors through the gateway. Staff register a processor in
Japan and one abroad (refused without its equivalent-measures basis), revise and retire;
auditors read the whole register; anyone reads who handles which data where (active
processors only: categories, purposes, countries)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.infra import Infra, unique_prefix
from tests.support.platform import PASSWORD, SUPERVISOR, Platform, platform


@pytest.fixture(scope="module")
async def p(infra: Infra) -> AsyncIterator[Platform]:
    async with platform(infra, unique_prefix()) as p:
        yield p


def terms(processor_id: str, country: str = "JP", **extra: Any) -> dict[str, Any]:
    return {"processor_id": processor_id, "legal_name": f"{processor_id.title()} K.K.",
            "country": country, "data_categories": ["name", "contact"],
            "purposes": ["outsourced_processing"], "contract_reference": "C-2026-1",
            "contract_from": "2026-01-01", "systems": ["smtp-relay"], **extra}  # fmt: skip


async def test_the_register_from_staff_to_the_public(p: Platform) -> None:
    staff, _ = await p.login(SUPERVISOR, PASSWORD)
    r = await p.gateway.post("/v1/processors", json=terms("smtp-relay"), headers=staff)
    assert r.status_code == 201 and r.json()["status"] == "active", r.text
    r = await p.gateway.post("/v1/processors", json=terms("smtp-relay"), headers=staff)
    assert r.status_code == 409 and r.json()["detail"]["reason"] == "processor_exists"
    r = await p.gateway.post("/v1/processors", json=terms("hosting-us", "US"), headers=staff)
    assert r.status_code == 422 and r.json()["detail"]["reason"] == "safeguards_required"
    abroad = terms("hosting-us", "US", safeguards="Standard contractual clauses (art. 28)")
    assert (await p.gateway.post("/v1/processors", json=abroad, headers=staff)).status_code == 201
    old = terms("analytics-jp", data_categories=["preferences"])
    assert (await p.gateway.post("/v1/processors", json=old, headers=staff)).status_code == 201

    revised = {k: v for k, v in terms("x").items() if k != "processor_id"}
    revised["data_categories"] = ["name", "contact", "school"]
    r = await p.gateway.post("/v1/processors/smtp-relay/revision", json=revised, headers=staff)
    assert r.status_code == 200 and r.json()["data_categories"] == ["name", "contact", "school"]
    r = await p.gateway.post("/v1/processors/analytics-jp/retirement",
                             json={"reason": "contract ended"}, headers=staff)  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "retired"
    r = await p.gateway.post("/v1/processors/analytics-jp/revision", json=revised, headers=staff)
    assert r.status_code == 409 and r.json()["detail"]["reason"] == "processor_retired"

    public = (await p.gateway.get("/v1/processors")).json()["items"]
    assert public == [
        {"legal_name": "Hosting-Us K.K.", "country": "US", "data_categories": ["name", "contact"],
         "purposes": ["outsourced_processing"]},
        {"legal_name": "X K.K.", "country": "JP",
         "data_categories": ["name", "contact", "school"], "purposes": ["outsourced_processing"]},
    ]  # fmt: skip
    register = (await p.gateway.get("/v1/processors/register", headers=staff)).json()["items"]
    assert [(x["processor_id"], x["status"]) for x in register] == [
        ("analytics-jp", "retired"), ("hosting-us", "active"), ("smtp-relay", "active")]  # fmt: skip
    assert register[1]["safeguards"].startswith("Standard contractual")
    assert (await p.gateway.get("/v1/processors/register")).status_code == 401
