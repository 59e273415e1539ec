"""[D] The published policy: its text part of the record, read by anyone, older versions and a
diff, a text bound to one label, and consents recording the SHA-256 of the text shown."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from ac_consent import store as sql
from ac_consent.app import create_app
from ac_consent.bootstrap import shipped_policy
from ac_consent.settings import ConsentSettings
from ac_events.catalogue import ConsentGranted, PolicyPublished, Purpose, policy_text_sha256
from ac_events.catalogue.streams import POLICY_STREAM, consent_stream
from ac_events.codec import Codec
from ac_events.keyring import NoKeys
from ac_events.store import ANY_VERSION, EventStore
from tests.support.infra import Infra
from tests.support.policy import texts
from tests.support.tokens import TokenMint


@dataclass
class Rig:
    app: FastAPI
    http: httpx.AsyncClient
    mint: TokenMint

    @property
    def staff(self) -> dict[str, str]:
        return self.mint.bearer("staff-1", "staff")


def settings(database_url: str, infra: Infra, prefix: str, mint: TokenMint) -> ConsentSettings:
    return ConsentSettings(database_url=database_url, topic_prefix=prefix, environment="test",
                           kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
                           auth_jwks=json.dumps(mint.jwks()))  # fmt: skip


@pytest.fixture
async def rig(infra: Infra, database_url: str, topic_prefix: str) -> AsyncIterator[Rig]:
    mint = TokenMint()
    app = create_app(settings(database_url, infra, topic_prefix, mint))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as http,
    ):
        yield Rig(app, http, mint)


async def test_anyone_reads_the_policy_in_effect_with_its_purposes_and_the_desk(rig: Rig) -> None:
    r = await rig.http.get("/policy")  # no token
    assert r.status_code == 200, r.text
    body = r.json()
    shipped = shipped_policy()
    assert body["current"]["policy_version"] == shipped.version
    assert body["current"]["texts"] == shipped.texts
    assert body["current"]["text_sha256"] == policy_text_sha256(shipped.texts)
    assert [p["code"] for p in body["purposes"]] == [p.value for p in Purpose]
    assert all(p["ja"] and p["en"] for p in body["purposes"])
    assert {p["code"] for p in body["purposes"] if p["third_party"]} == {
        "client_application", "vetting"}  # fmt: skip
    assert {c["category"] for c in body["recipients"]} >= {"client_companies", "authorities"}
    assert body["contact"]["email"] and body["contact"]["requests"] == "/v1/me/requests"


async def test_staff_publish_a_version_with_its_text_and_anyone_diffs_it(rig: Rig) -> None:
    change = {"purpose": "marketing", "changed": True, "significant": True}
    new = {"ja": shipped_policy().texts["ja"] + "\n## 12. 追記\n",
           "en": shipped_policy().texts["en"] + "\n## 12. Addendum\n"}  # fmt: skip
    body = {"policy_version": "2026-12", "effective_at": "2026-01-01T00:00:00Z",
            "texts": new, "changes": [change]}  # fmt: skip
    assert (await rig.http.post("/policies", json=body)).status_code == 401
    r = await rig.http.post("/policies", json=body, headers=rig.staff)
    assert r.status_code == 201, r.text
    current = (await rig.http.get("/policy")).json()["current"]
    assert current["policy_version"] == "2026-12" and current["significant"] == ["marketing"]
    old = (await rig.http.get(f"/policy/versions/{shipped_policy().version}")).json()
    assert old["texts"] == shipped_policy().texts
    assert (await rig.http.get("/policy/versions/nope")).status_code == 404
    diff = (await rig.http.get("/policy/diff", params={
        "from_version": shipped_policy().version, "to_version": "2026-12"})).json()  # fmt: skip
    assert "+## 12. Addendum" in diff["texts"]["en"] and "+## 12. 追記" in diff["texts"]["ja"]
    assert diff["changes"] == [change]
    # The same text under another label, or a hash that is not the text's, is refused.
    again = {**body, "policy_version": "2026-12b"}
    r = await rig.http.post("/policies", json=again, headers=rig.staff)
    assert r.status_code == 409 and r.json()["detail"]["reason"] == "policy_text_exists"
    lying = {
        **body,
        "policy_version": "2027-01",
        "texts": texts("2027-01"),
        "text_sha256": "0" * 64,
    }
    r = await rig.http.post("/policies", json=lying, headers=rig.staff)
    assert r.status_code == 422 and r.json()["detail"]["reason"] == "policy_text_mismatch"


async def test_a_consent_records_the_sha256_of_the_text_shown(rig: Rig) -> None:
    sha = policy_text_sha256(shipped_policy().texts)
    me = rig.mint.bearer("ann", "student")
    grant = {"purpose": "marketing", "policy_version": shipped_policy().version}
    r = await rig.http.post("/subjects/ann/consents", json=grant, headers=me)
    assert r.status_code == 201, r.text
    r = await rig.http.post("/subjects/ann/consents",
                            json={**grant, "policy_text_sha256": "1" * 64}, headers=me)  # fmt: skip
    assert r.status_code == 422 and r.json()["detail"]["reason"] == "policy_text_mismatch"
    store = EventStore(rig.app.state.platform.resources.db, Codec(NoKeys()), "consent")
    [granted] = [e.payload for e in await store.read_stream(consent_stream("ann"))]
    assert isinstance(granted, ConsentGranted) and granted.policy_text_sha256 == sha


async def test_a_version_published_before_texts_were_kept_gets_its_text_by_its_hash(
    infra: Infra, database_url: str, topic_prefix: str
) -> None:
    """A platform that published the shipped policy as v1 (its hash only) serves its text."""
    mint = TokenMint()
    s = settings(database_url, infra, topic_prefix, mint)
    s.publish_shipped_policy = False
    app = create_app(s)
    shipped = shipped_policy()
    async with app.router.lifespan_context(app):
        store = EventStore(app.state.platform.resources.db, Codec(NoKeys()), "consent")
        v1 = PolicyPublished(policy_version=shipped.version, effective_at=shipped.effective_at,
                             changes=shipped.changes,
                             text_sha256=policy_text_sha256(shipped.texts))  # fmt: skip
        await store.append(POLICY_STREAM, ANY_VERSION, [v1])
        async with store.pool.acquire() as conn:  # the view of those days: no text
            await sql.add_policy(conn, v1.policy_version, v1.effective_at, v1.changes)
    app = create_app(s)  # a restart: the texts are synced from the log
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as http,
    ):
        current = (await http.get("/policy")).json()["current"]
        assert current["texts"] == shipped.texts
