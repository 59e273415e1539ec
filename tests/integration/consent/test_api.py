"""The consent service over HTTP, with real PostgreSQL and Kafka.

Identity's organisations and erasures, and matching's disclosures, arrive
the real way: appended to those services' own event stores and relayed to
their topics, consumed by the consent service's consumer group.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from ac_consent.app import create_app
from ac_consent.bootstrap import shipped_policy, text_sha256
from ac_consent.settings import ConsentSettings
from ac_events.catalogue import (
    ClientOrganizationRegistered,
    DataCategory,
    DataShared,
    DecisionReason,
    DecisionRef,
    Purpose,
    SubjectErased,
    ViewPosition,
)
from ac_events.kafka import topic_for
from tests.support.infra import Infra
from tests.support.kafka import read_topic, wait_for_count
from tests.support.policy import texts
from tests.support.services import Upstream, upstream
from tests.support.tokens import TokenMint


@dataclass
class Rig:
    app: FastAPI
    http: httpx.AsyncClient
    mint: TokenMint
    identity: Upstream
    matching: Upstream
    prefix: str
    bootstrap: str

    def as_(self, subject: str, role: str, **kw: Any) -> dict[str, str]:
        return self.mint.bearer(subject, role, **kw)

    @property
    def staff(self) -> dict[str, str]:
        return self.as_("staff-1", "staff")

    @property
    def service(self) -> dict[str, str]:
        return self.as_("matching", "service")

    async def organisation(self, org_id: str, country: str) -> None:
        event = ClientOrganizationRegistered(
            organization_id=org_id,
            legal_name=f"{org_id} K.K.",
            address="1-1 Marunouchi, Chiyoda, Tokyo",
            representative="Representative Director",
            country=country,
        )
        await self.identity.publish(f"org-{org_id}", event)
        await eventually(lambda: self.knows(org_id))

    async def knows(self, org_id: str) -> bool:
        r = await self.decide("probe", recipient=org_id)
        return r.status_code == 200

    async def decide(self, subject: str, **kw: Any) -> httpx.Response:
        return await self.http.post(
            "/decisions", json=ask(subject, **kw), headers=kw.pop("headers", self.service)
        )

    async def grant(self, subject: str, **kw: Any) -> httpx.Response:
        body: dict[str, Any] = {"purpose": "client_application", "recipient": "org-jp"}
        body |= {"region": "JP", "data_categories": ["resume"], "policy_version": "v1", **kw}
        return await self.http.post(
            f"/subjects/{subject}/consents", json=body, headers=self.as_(subject, "student")
        )


def ask(subject: str, **kw: Any) -> dict[str, Any]:
    kw.pop("headers", None)
    return {
        "subject_id": subject,
        "purpose": "client_application",
        "recipient": "org-jp",
        "region": "JP",
        "data_categories": ["resume"],
        **kw,
    }


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("the consent service did not catch up")
        await asyncio.sleep(0.1)


@pytest.fixture
async def rig(infra: Infra, database_url: str, topic_prefix: str) -> AsyncIterator[Rig]:
    mint = TokenMint()
    settings = ConsentSettings(
        database_url=database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        topic_prefix=topic_prefix,
        environment="test",
        auth_jwks=json.dumps(mint.jwks()),
        publish_shipped_policy=False,  # these tests publish their own, and count positions
    )
    app = create_app(settings)
    server, kafka = infra.database_url, infra.kafka_bootstrap_servers
    async with (
        upstream("identity", server, kafka, topic_prefix) as identity,
        upstream("matching", server, kafka, topic_prefix) as matching,
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as http,
    ):
        rig = Rig(app, http, mint, identity, matching, topic_prefix, kafka)
        policy = {"policy_version": "v1", "effective_at": "2026-04-01T00:00:00Z"}
        r = await http.post("/policies", json={**policy, "texts": texts("v1")}, headers=rig.staff)
        assert r.status_code == 201, r.text
        await rig.organisation("org-jp", "JP")
        yield rig


async def us_notice(rig: Rig) -> str:
    r = await rig.http.post(
        "/country-notices",
        json={
            "country": "US",
            "country_name": "United States of America",
            "protection_system": "No comprehensive federal law; sectoral and state laws.",
            "recipient_measures": "Contractual commitments to the OECD privacy principles.",
        },
        headers=rig.staff,
    )
    assert r.status_code == 201, r.text
    sha: str = r.json()["notice_sha256"]
    return sha


async def test_grant_decide_withdraw_decide(rig: Rig) -> None:
    granted = await rig.grant("alice")
    assert granted.status_code == 201, granted.text
    allowed = (await rig.decide("alice")).json()
    assert allowed["decision"] == "allow" and allowed["reason"] == "consent_granted"
    assert allowed["consent_event_ids"] == granted.json()["event_ids"]
    assert allowed["position"] == {"subject_version": 1, "policies_version": 1}

    consent_id = granted.json()["consent_id"]
    withdrawn = await rig.http.delete(
        f"/subjects/alice/consents/{consent_id}", headers=rig.as_("alice", "student")
    )
    assert withdrawn.status_code == 200, withdrawn.text
    denied = (await rig.decide("alice")).json()
    assert denied["decision"] == "deny" and denied["reason"] == "withdrawn"
    assert denied["consent_event_ids"] == withdrawn.json()["event_ids"]

    # The consent service's own events reach its topic.
    records = await read_topic(rig.bootstrap, topic_for("consent", rig.prefix))
    types = sorted({json.loads(r.value)["type"] for r in records})
    assert types == ["ConsentGranted", "ConsentWithdrawn", "PolicyPublished"]


async def test_bad_input_is_a_4xx_with_a_reason(rig: Rig) -> None:
    student = rig.as_("bob", "student")
    cases: list[tuple[dict[str, Any], int, str | None]] = [
        ({"purpose": "astrology"}, 422, None),
        ({"region": "XX"}, 422, None),
        ({"recipient": "org-nowhere"}, 422, "unknown_recipient"),
        ({"policy_version": "v9"}, 422, "unknown_policy_version"),
        ({"recipient": "*"}, 422, "recipient_required"),
        ({"region": "US"}, 422, "country_notice_required"),
        ({"purpose": "legal_disclosure", "recipient": "*"}, 422, "legal_basis_not_consent"),
        ({"region": "US", "country_notice_sha256": "c" * 64}, 422, "unknown_country_notice"),
    ]
    for change, status, reason in cases:
        r = await rig.grant("bob", **change)
        assert r.status_code == status, (change, r.text)
        if reason:
            assert r.json()["detail"]["reason"] == reason, change
    notice = await us_notice(rig)
    r = await rig.grant("bob", region="DE", country_notice_sha256=notice)
    assert r.json()["detail"]["reason"] == "notice_for_another_country"

    # Someone else's consent, and callers who may not grant at all.
    body = {"purpose": "marketing", "policy_version": "v1"}
    r = await rig.http.post("/subjects/carol/consents", json=body, headers=student)
    assert r.status_code == 403 and r.json()["detail"]["reason"] == "not_your_data"
    for headers in (rig.staff, rig.as_("x", "client", org="org-jp"), rig.service):
        r = await rig.http.post("/subjects/bob/consents", json=body, headers=headers)
        assert r.status_code == 403
    r = await rig.http.post("/subjects/bob/consents", json=body)
    assert r.status_code == 401
    forged = TokenMint().bearer("bob", "student")
    r = await rig.http.post("/subjects/bob/consents", json=body, headers=forged)
    assert r.status_code == 401
    expired = rig.mint.bearer("bob", "student", ttl_s=-60)
    r = await rig.http.post("/subjects/bob/consents", json=body, headers=expired)
    assert r.status_code == 401

    # Decisions: bad purpose, region and recipient; students ask only about themselves.
    assert (await rig.decide("bob", purpose="astrology")).status_code == 422
    assert (await rig.decide("bob", region="ZZ")).status_code == 422
    r = await rig.decide("bob", recipient="org-nowhere")
    assert r.status_code == 422 and r.json()["detail"]["reason"] == "unknown_recipient"
    r = await rig.decide("carol", headers=student)
    assert r.status_code == 403
    r = await rig.decide("bob", headers=rig.as_("x", "client", org="org-jp"))
    assert r.status_code == 403
    # Staff-only routes.
    policy = {"policy_version": "v2", "effective_at": "2026-05-01T00:00:00Z", "texts": texts("v2")}
    assert (await rig.http.post("/policies", json=policy, headers=student)).status_code == 403
    r = await rig.http.post("/policies", json={**policy, "policy_version": "v1"}, headers=rig.staff)
    assert r.status_code == 409 and r.json()["detail"]["reason"] == "policy_version_exists"


async def test_overseas_recipient_needs_a_consent_naming_its_country(rig: Rig) -> None:
    await rig.organisation("org-us", "US")
    assert (await rig.grant("dan", recipient="org-us")).status_code == 201  # Japan only
    d = (await rig.decide("dan", recipient="org-us", region="US")).json()
    assert d["reason"] == "region_not_covered"
    notice = await us_notice(rig)
    shown = await rig.http.get(f"/country-notices/{notice}", headers=rig.as_("dan", "student"))
    assert shown.json()["country_name"] == "United States of America"
    r = await rig.grant("dan", recipient="org-us", region="US", country_notice_sha256=notice)
    assert r.status_code == 201, r.text
    d = (await rig.decide("dan", recipient="org-us", region="US")).json()
    assert d["decision"] == "allow"
    d = (await rig.decide("dan", recipient="org-us", region="DE")).json()
    assert d["reason"] == "region_not_covered"


async def test_a_significant_policy_change_forces_a_new_choice(rig: Rig) -> None:
    assert (await rig.grant("erin")).status_code == 201
    assert (await rig.grant("erin", purpose="marketing", recipient="*")).status_code == 201
    change = {"purpose": "client_application", "changed": True, "significant": True}
    policy = {"policy_version": "v2", "effective_at": "2026-06-01T00:00:00Z", "texts": texts("v2")}
    r = await rig.http.post("/policies", json={**policy, "changes": [change]}, headers=rig.staff)
    assert r.status_code == 201
    d = (await rig.decide("erin")).json()
    assert d["reason"] == "reconsent_required" and d["position"]["policies_version"] == 2
    marketing = (await rig.decide("erin", purpose="marketing", recipient="*")).json()
    assert marketing["decision"] == "allow"  # not changed significantly
    assert (await rig.grant("erin", policy_version="v2")).status_code == 201
    assert (await rig.decide("erin")).json()["decision"] == "allow"


async def test_a_transfer_objection_excludes_the_person(rig: Rig) -> None:
    await rig.organisation("acquirer", "JP")
    assert (await rig.grant("fay", recipient="acquirer")).status_code == 201
    assert (await rig.grant("gus", recipient="acquirer")).status_code == 201
    deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    transfer = {
        "acquirer": "acquirer",
        "acquirer_name": "Acquirer K.K.",
        "purposes": ["client_application"],
        "opt_out_deadline": deadline,
    }
    r = await rig.http.post("/transfers", json=transfer, headers=rig.staff)
    assert r.status_code == 201, r.text
    objection = {"transfer_id": r.json()["transfer_id"]}
    r = await rig.http.post(
        "/subjects/fay/transfer-objections", json=objection, headers=rig.as_("fay", "student")
    )
    assert r.status_code == 201, r.text
    fay = (await rig.decide("fay", recipient="acquirer")).json()
    gus = (await rig.decide("gus", recipient="acquirer")).json()
    assert fay["reason"] == "objected_to_transfer" and gus["decision"] == "allow"
    unknown = {"transfer_id": str(uuid4())}
    r = await rig.http.post(
        "/subjects/fay/transfer-objections", json=unknown, headers=rig.as_("fay", "student")
    )
    assert r.status_code == 422 and r.json()["detail"]["reason"] == "unknown_transfer"


async def test_an_erasure_from_identity_denies_everything_after_it(rig: Rig) -> None:
    assert (await rig.grant("hana")).status_code == 201
    await rig.identity.publish("user-hana", SubjectErased(), subject_id="hana")

    async def erased() -> bool:
        return bool((await rig.decide("hana")).json()["reason"] == "erased")

    await eventually(erased)
    r = await rig.grant("hana")
    assert r.status_code == 410 and r.json()["detail"]["reason"] == "erased"


async def test_legal_disclosures_only_for_staff_with_a_basis_and_reference(rig: Rig) -> None:
    legal = {
        "purpose": "legal_disclosure",
        "legal_basis": "laws_and_regulations",
        "legal_reference": "Tokyo District Court order 2026-1234",
    }
    by_staff = (await rig.decide("ivan", headers=rig.staff, **legal)).json()
    assert by_staff["decision"] == "allow" and by_staff["reason"] == "legal_exemption"
    by_service = (await rig.decide("ivan", **legal)).json()
    assert by_service["decision"] == "deny"
    acting = {**rig.service, "X-On-Behalf-Of": rig.staff["Authorization"]}
    for_staff = (await rig.decide("ivan", headers=acting, **legal)).json()
    assert for_staff["decision"] == "allow"
    no_reference = {**legal, "legal_reference": None}
    assert (await rig.decide("ivan", headers=rig.staff, **no_reference)).status_code == 422


async def test_batch_decisions_on_one_snapshot(rig: Rig) -> None:
    assert (await rig.grant("jun")).status_code == 201
    asks = [ask("jun"), ask("kai"), ask("jun", purpose="marketing", recipient="*")]
    r = await rig.http.post("/decisions/batch", json={"requests": asks}, headers=rig.service)
    assert r.status_code == 200, r.text
    reasons = [d["reason"] for d in r.json()["decisions"]]
    assert reasons == ["consent_granted", "no_consent", "no_consent"]
    bad = [ask("jun"), ask("jun", recipient="org-nowhere")]
    r = await rig.http.post("/decisions/batch", json={"requests": bad}, headers=rig.service)
    assert r.status_code == 422 and "[1]" in r.json()["detail"]["message"]
    too_many = {"requests": [ask("jun")] * 10_001}
    assert (
        await rig.http.post("/decisions/batch", json=too_many, headers=rig.service)
    ).status_code == 422


async def test_as_of_a_time_or_a_position_is_answered_from_the_log(rig: Rig) -> None:
    granted = (await rig.grant("kei")).json()
    at_grant = (await rig.decide("kei")).json()
    between = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await rig.http.delete(
        f"/subjects/kei/consents/{granted['consent_id']}", headers=rig.as_("kei", "student")
    )
    assert (await rig.decide("kei")).json()["reason"] == "withdrawn"
    auditor = rig.as_("aud-1", "auditor")
    then = (await rig.decide("kei", headers=auditor, position=at_grant["position"])).json()
    assert then == at_grant
    by_time = (await rig.decide("kei", headers=auditor, as_of=between.isoformat())).json()
    assert by_time["decision"] == "allow"
    assert by_time["position"] == {"subject_version": 1, "policies_version": 1}


async def test_the_persons_page_consents_history_and_disclosures(rig: Rig) -> None:
    granted = (await rig.grant("lin")).json()
    await rig.grant("lin", purpose="marketing", recipient="*")
    decision = (await rig.decide("lin")).json()
    shared = DataShared(
        disclosure_id=uuid4(),
        shared_at=datetime.now(UTC),
        purpose=Purpose.CLIENT_APPLICATION,
        organization_id="org-jp",
        recipient_legal_name="org-jp K.K.",
        recipient_address="1-1 Marunouchi, Chiyoda, Tokyo",
        recipient_representative="Representative Director",
        recipient_country="JP",
        data_items=(DataCategory.RESUME,),
        decision=DecisionRef(
            reason=DecisionReason.CONSENT_GRANTED,
            consent_event_ids=tuple(decision["consent_event_ids"]),
            position=ViewPosition(**decision["position"]),
        ),
    )
    await rig.matching.publish("application-1", shared, subject_id="lin")
    mine = rig.as_("lin", "student")

    async def disclosed() -> bool:
        page = (await rig.http.get("/subjects/lin/page", headers=mine)).json()
        return len(page["disclosures"]) == 1

    await eventually(disclosed)
    page = (await rig.http.get("/subjects/lin/page", headers=mine)).json()
    assert {c["purpose"] for c in page["consents"]} == {"client_application", "marketing"}
    assert [h["type"] for h in page["history"]] == ["ConsentGranted", "ConsentGranted"]
    [d] = page["disclosures"]
    assert d["recipient_legal_name"] == "org-jp K.K." and d["data_items"] == ["resume"]
    assert d["justification"]["consent_event_ids"] == granted["event_ids"]

    earlier = (
        await rig.http.get("/subjects/lin/page", params={"subject_version": 1}, headers=mine)
    ).json()
    assert [c["purpose"] for c in earlier["consents"]] == ["client_application"]
    assert (
        await rig.http.get("/subjects/lin/page", headers=rig.as_("mo", "student"))
    ).status_code == 403
    assert (
        await rig.http.get("/subjects/lin/page", headers=rig.as_("a", "auditor"))
    ).status_code == 200


async def test_read_your_writes_over_http_under_concurrent_calls(rig: Rig) -> None:
    await rig.organisation("org-other", "JP")
    violations = 0
    for _ in range(10):
        consent_id = (await rig.grant("nao")).json()["consent_id"]
        stop = asyncio.Event()

        async def noise(stop: asyncio.Event) -> None:
            while not stop.is_set():
                await rig.decide("nao")

        tasks: list[asyncio.Task[Any]] = [asyncio.create_task(noise(stop)) for _ in range(3)]
        tasks += [asyncio.create_task(rig.grant("nao", recipient="org-other")) for _ in range(2)]
        r = await rig.http.delete(
            f"/subjects/nao/consents/{consent_id}", headers=rig.as_("nao", "student")
        )
        assert r.status_code == 200
        after = await asyncio.gather(*(rig.decide("nao") for _ in range(5)))
        violations += sum(a.json()["decision"] == "allow" for a in after)
        stop.set()
        await asyncio.gather(*tasks)
    assert violations == 0


async def test_data_and_sensitive_categories_must_be_covered(rig: Rig) -> None:
    assert (await rig.grant("oto", data_categories=["resume", "name"])).status_code == 201
    wider = (await rig.decide("oto", data_categories=["resume", "contact"])).json()
    assert wider["reason"] == "categories_not_covered"
    health = (await rig.decide("oto", sensitive_categories=["sex_life_health"])).json()
    assert health["reason"] == "sensitive_not_covered"
    named = {"data_categories": ["resume"], "sensitive_categories": ["sex_life_health"]}
    assert (await rig.grant("oto", **named)).status_code == 201
    assert (await rig.decide("oto", sensitive_categories=["sex_life_health"])).json()[
        "decision"
    ] == "allow"
    beliefs = (
        await rig.decide("oto", sensitive_categories=["sex_life_health", "beliefs_religion"])
    ).json()
    assert beliefs["reason"] == "sensitive_not_covered"


async def test_metrics_for_the_dashboards(rig: Rig) -> None:
    assert (await rig.grant("pia")).status_code == 201
    for _ in range(3):
        await rig.decide("pia")
    text = (await rig.http.get("/metrics")).text
    assert 'ac_consent_decision_seconds_count{endpoint="single"}' in text
    assert 'route="/decisions"' in text and 'route="/subjects/{subject_id}/consents"' in text
    assert "pia" not in text  # route templates, never paths with ids
    assert f'ac_consumer_lag{{group="{rig.prefix}consent"}}' in text
    assert f'ac_outbox_backlog{{topic="{rig.prefix}consent.events"}}' in text
    assert f'ac_dead_letters_total{{group="{rig.prefix}consent"}}' in text


async def test_a_fresh_service_publishes_the_shipped_policy_once(
    infra: Infra, database_url: str, topic_prefix: str
) -> None:
    """A fresh platform starts with the company's policy: no staff action, and a restart
    (or a second replica) publishes nothing more."""
    mint = TokenMint()
    settings = ConsentSettings(
        database_url=database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        topic_prefix=topic_prefix,
        environment="test",
        auth_jwks=json.dumps(mint.jwks()),
    )
    shipped, topic = shipped_policy(), topic_for("consent", topic_prefix)
    for _ in range(2):  # a first start, then a restart on the same database
        app = create_app(settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as c,
        ):
            r = await c.get("/policies", headers=mint.bearer("s-1", "student"))
            assert r.status_code == 200 and r.json()["versions"] == [shipped.version]
            # Published while it runs (the relay's round may come after a quick stop).
            await wait_for_count(infra.kafka_bootstrap_servers, topic, 1)
    records = await read_topic(infra.kafka_bootstrap_servers, topic)
    published = [json.loads(r.value) for r in records if b'"PolicyPublished"' in r.value]
    assert len(published) == 1
    payload = published[0]["payload"]
    assert payload["text_sha256"] == text_sha256(shipped.texts)
    assert payload["texts"] == shipped.texts  # the text is part of the record (v2)
    assert {c["purpose"] for c in payload["changes"] if c["significant"]} == set(Purpose)
    assert "個人情報" in shipped.texts["ja"] and "personal information" in shipped.texts["en"]
