"""Erasure end to end, and bad tokens at the gateway, over the real services, Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from ac_contracts.identity import Profile
from ac_events.catalogue import ERASED, Role
from ac_events.codec import Codec
from ac_events.kafka import PRODUCERS, topic_for
from ac_platform.auth import ISSUER, PERSON_AUDIENCE
from ac_platform.peers import HttpKeyring
from tests.support.desk import DeskRig, Someone
from tests.support.infra import Infra, unique_prefix
from tests.support.kafka import read_topic
from tests.support.platform import SECRET, Platform, platform
from tests.support.policy import texts
from tests.support.tokens import TokenMint

PASSWORD = "correct horse battery staple"


@pytest.fixture
async def live(infra: Infra) -> AsyncIterator[tuple[Platform, str, str]]:
    prefix = unique_prefix()
    async with platform(infra, prefix, notifications=True) as p:
        yield p, prefix, infra.kafka_bootstrap_servers


async def login(p: Platform, username: str) -> dict[str, str]:
    r = await p.gateway.post("/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def test_erasure_leaves_no_readable_trace_and_keeps_the_consent_facts(
    live: tuple[Platform, str, str],
) -> None:
    p, prefix, kafka = live
    await p.accounts.register(
        Profile(username="staff", name="S", email="s@example.jp"), PASSWORD, Role.STAFF
    )
    staff = await login(p, "staff")
    policy = {
        "policy_version": "v1",
        "effective_at": "2026-04-01T00:00:00Z",
        "texts": texts("v1"),
    }
    assert (await p.gateway.post("/v1/policies", json=policy, headers=staff)).status_code == 201
    secret_name, secret_email = "Kaori Nakamura-Erasable", "kaori.erasable@example.jp"
    body = {"username": "kaori", "password": PASSWORD, "name": secret_name, "email": secret_email,
            "school": "Hokkaido Erasable University"}  # fmt: skip
    assert (await p.gateway.post("/v1/users", json=body)).status_code == 202
    me, subject = await p.login("kaori", PASSWORD)
    grant = {"purpose": "marketing", "policy_version": "v1"}
    assert (await p.gateway.post("/v1/me/consents", json=grant, headers=me)).status_code == 201
    # Data in other services: a CV, and an application that shares it with a client.
    secret_skill = "Erasable Kernel Hacking"
    cv = {"skills": [secret_skill], "free_text": "Loves erasable systems."}
    assert (await p.gateway.post("/v1/me/resume", json=cv, headers=me)).status_code == 201
    org = {"organization_id": "org-e", "legal_name": "E K.K.", "address": "Sapporo",
           "representative": "Rep", "country": "JP"}  # fmt: skip
    assert (await p.gateway.post("/v1/organisations", json=org, headers=staff)).status_code == 201
    client = {"username": "client.e", "password": PASSWORD, "name": "C", "email": "c@example.jp",
              "role": "client", "organization_id": "org-e"}  # fmt: skip
    assert (await p.gateway.post("/v1/accounts", json=client, headers=staff)).status_code == 201
    client_e = await login(p, "client.e")
    share = {"purpose": "client_application", "recipient": "org-e",
             "data_categories": ["name", "contact", "school", "resume"], "policy_version": "v1"}  # fmt: skip
    vacancy = {"title": "Kernel engineer", "location_country": "JP"}
    await p.until_done("POST", "/v1/me/consents", share, me)
    posted = await p.until_done("POST", "/v1/vacancies", vacancy, client_e)
    applied = await p.until_done(
        "POST", "/v1/me/applications", {"vacancy_id": posted["vacancy_id"]}, me
    )
    assert applied["status"] == "shared", applied
    received = f"/v1/organisation/disclosures/{applied['disclosure_id']}"
    got = (await p.gateway.get(received, headers=client_e)).json()
    assert got["data"]["resume"]["skills"] == [secret_skill]

    # The disclosure (everything held), after step-up: the password and the emailed code.
    desk, kaori = DeskRig(p), Someone(subject, me, secret_email)
    asked = (await desk.file(kaori, kind="disclosure"))["request_id"]
    verified = await desk.verify(kaori, asked, await desk.code(kaori, asked))
    assert verified.status_code == 200, verified.text
    disclosure = f"/v1/me/requests/{asked}/disclosure"
    exported = (await p.gateway.get(disclosure, headers=me)).json()
    assert exported["identity"]["profile"]["email"] == secret_email
    assert len(exported["consent"]["consents"]) == 2
    assert exported["resume"]["content"]["skills"] == [secret_skill]
    assert [d["record"]["organization_id"] for d in exported["disclosures"]] == ["org-e"]

    # Another service reads the person's personal fields through identity's keyring API...
    keyring = HttpKeyring(p.identity_url, "tests", SECRET)
    identity_records = await read_topic(kafka, topic_for("identity", prefix))
    mine = [
        r.value
        for r in identity_records
        if b'"UserRegistered"' in r.value and subject.encode() in r.value
    ]
    registered = (await Codec(keyring).open(mine[0])).payload
    assert registered.email == secret_email  # type: ignore[attr-defined]

    erasure = (await desk.file(kaori, kind="erasure"))["request_id"]
    r = await desk.verify(kaori, erasure, await desk.code(kaori, erasure))
    assert r.status_code == 200 and r.json()["answers"][0]["actions"] == ["erasure requested"]
    gone = await p.gateway.get(disclosure, headers=me)  # the token ended with the account
    assert gone.status_code == 401 and gone.json()["detail"]["reason"] == "session_ended"
    assert (
        await p.gateway.post("/v1/auth/login", json={"username": "kaori", "password": PASSWORD})
    ).status_code == 401

    # The consent service learns of the erasure from identity's topic; its facts stay.
    auditor_profile = Profile(username="auditor", name="A", email="a@example.jp")
    await p.accounts.register(auditor_profile, PASSWORD, Role.AUDITOR)
    auditor = await login(p, "auditor")
    page: dict[str, object] = {}
    for _ in range(200):
        page = (
            await p.gateway.get(f"/v1/audit/subjects/{subject}/consents", headers=auditor)
        ).json()
        if page.get("erased"):
            break
        await asyncio.sleep(0.1)
    assert page["erased"] is True
    # ... and after the erasure reads them as ERASED.
    assert (await Codec(keyring).open(mine[0])).payload.email == ERASED  # type: ignore[attr-defined]
    await keyring.close()
    purposes = sorted(c["purpose"] for c in page["consents"])  # type: ignore[attr-defined]
    assert purposes == ["client_application", "marketing"]
    # The record of the provision stays, pseudonymous; the copy of what was sent is gone.
    records = (
        await p.gateway.get(f"/v1/audit/subjects/{subject}/disclosures", headers=auditor)
    ).json()["items"]
    assert [r["record"]["recipient_legal_name"] for r in records] == ["E K.K."]
    for _ in range(100):
        got = (await p.gateway.get(received, headers=client_e)).json()
        if got["data"] is None:
            break
        await asyncio.sleep(0.1)
    assert got["data"] is None

    # Replay every topic there is: nothing of the person in the clear, anywhere.
    raw = b""
    for producer in sorted(await existing_producers(kafka, prefix)):
        raw += b"".join(
            r.value for r in await read_topic(kafka, topic_for(producer, prefix), timeout_s=20)
        )
    assert subject.encode() in raw  # the pseudonymous facts are there
    for secret in (secret_name, secret_email, "Hokkaido Erasable", secret_skill):
        assert secret.encode() not in raw


async def existing_producers(kafka: str, prefix: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        topics = set(await admin.list_topics())
    finally:
        await admin.close()
    found = {p for p in PRODUCERS if topic_for(p, prefix) in topics}
    assert {"identity", "consent", "resumes", "matching"} <= found
    return found


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_bad_tokens_are_refused_at_the_gateway(live: tuple[Platform, str, str]) -> None:
    p, _, _ = live
    await p.gateway.post(
        "/v1/users",
        json={"username": "yuki", "password": PASSWORD, "name": "Yuki", "email": "y@example.jp"},
    )
    good = await login(p, "yuki")
    assert (await p.gateway.get("/v1/me", headers=good)).status_code == 200
    jwks = (await p.gateway.get("/v1/auth/jwks")).json()
    kid = jwks["keys"][0]["kid"]
    now = int(time.time())
    claims = {
        "sub": "yuki",
        "role": "staff",
        "iss": ISSUER,
        "aud": PERSON_AUDIENCE,
        "iat": now,
        "exp": now + 60,
    }

    def forged(header: dict[str, str], sign: bytes | None) -> str:
        body = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
        if sign is None:
            return body + "."
        return f"{body}.{b64(hmac.new(sign, body.encode(), hashlib.sha256).digest())}"

    public = json.dumps(jwks["keys"][0]).encode()
    stranger = TokenMint(kid=kid)
    tokens = {
        "alg none": forged({"alg": "none", "kid": kid}, None),
        "public key as HMAC secret": forged({"alg": "HS256", "kid": kid}, public),
        "wrong signature": stranger.token("yuki", "staff"),
        "expired": stranger.token("yuki", "staff", ttl_s=-120),
        "garbage": "not.a.token",
    }
    for name, token in tokens.items():
        r = await p.gateway.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, name
        r = await p.gateway.post(
            "/v1/policies",
            json={
                "policy_version": "x",
                "effective_at": "2026-01-01T00:00:00Z",
                "texts": texts("x"),
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 401, name
