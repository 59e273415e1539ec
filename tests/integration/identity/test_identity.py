"""The identity service over HTTP, with real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiokafka import ConsumerRecord
from fastapi import FastAPI

from ac_contracts.identity import ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE, Profile
from ac_events.catalogue import ERASED, Role
from ac_events.codec import Codec
from ac_events.kafka import topic_for
from ac_identity.app import create_app
from ac_identity.commands import Accounts
from ac_identity.deps import IdentityDeps
from ac_identity.settings import IdentitySettings
from ac_platform.auth import Caller, TokenVerifier
from tests.support.infra import Infra
from tests.support.kafka import read_topic
from tests.support.platform import SECRET, identity_settings

PASSWORD = "correct horse battery staple"
SERVICE_SECRET = "matching-secret-for-tests"


@dataclass
class Rig:
    app: FastAPI
    http: httpx.AsyncClient
    prefix: str
    bootstrap: str

    @property
    def accounts(self) -> Accounts:
        deps = self.app.state.deps
        assert isinstance(deps, IdentityDeps)
        return deps.accounts

    async def register(self, username: str, **kw: Any) -> httpx.Response:
        body = {
            "username": username,
            "password": PASSWORD,
            "name": "Hanako Yamada",
            "email": f"{username}@example.jp",
            "school": "Tokyo University of Science",
            **kw,
        }
        return await self.http.post("/users", json=body)

    async def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return await self.http.post("/sessions", json={"username": username, "password": password})

    async def subject_of(self, username: str) -> str:
        r = await self.login(username)
        assert r.status_code == 200, r.text
        return str(r.json()["subject_id"])

    async def bearer(self, username: str) -> dict[str, str]:
        """A bearer header for identity's own routes: the person's token (for the gateway)
        exchanged, as the gateway exchanges it, for one of identity."""
        r = await self.login(username)
        assert r.status_code == 200, r.text
        return await self.exchange(r.json()["access_token"], "identity")

    async def exchange(self, token: str, audience: str) -> dict[str, str]:
        body = {"grant_type": TOKEN_EXCHANGE, "client_id": "tests", "client_secret": SECRET,
                "subject_token": token, "subject_token_type": ACCESS_TOKEN_TYPE,
                "audience": audience}  # fmt: skip
        r = await self.http.post("/oauth/token", json=body)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    async def staff(self) -> dict[str, str]:
        profile = Profile(username="staff.one", name="Staff One", email="staff@example.jp")
        await self.accounts.register(profile, PASSWORD, Role.STAFF)
        return await self.bearer("staff.one")


@pytest.fixture
async def rig(infra: Infra, database_url: str, topic_prefix: str) -> AsyncIterator[Rig]:
    settings = identity_settings(
        database_url=database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        topic_prefix=topic_prefix,
        environment="test",
        erasure_grace_s=0.5,
        service_credentials=json.dumps(
            {
                "matching": IdentitySettings.secret_digest(SERVICE_SECRET),
                "tests": IdentitySettings.secret_digest(SECRET),
            }
        ),
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://i") as http,
    ):
        yield Rig(app, http, topic_prefix, infra.kafka_bootstrap_servers)


async def test_register_log_in_and_verify_the_token_with_the_jwks(rig: Rig) -> None:
    r = await rig.register("hanako")
    assert r.status_code == 202, r.text
    subject = await rig.subject_of("hanako")
    tokens = (await rig.login("HANAKO")).json()
    jwks = (await rig.http.get("/.well-known/jwks.json")).json()
    assert all("d" not in k for k in jwks["keys"])  # public halves only
    principal = await TokenVerifier(jwks=jwks, audience="gateway").verify(tokens["access_token"])
    assert (principal.subject, principal.role) == (subject, Caller.STUDENT)
    me = (await rig.http.get("/me", headers=await rig.bearer("hanako"))).json()
    assert me["profile"]["email"] == "hanako@example.jp" and me["email_verified"] is False


async def test_registration_refuses_each_bad_field_with_a_reason(rig: Rig) -> None:
    bad: list[dict[str, Any]] = [
        {"username": "x"},
        {"username": "has space"},
        {"password": "short"},
        {"password": "hanako2-is-my-password"},
        {"email": "not-an-email"},
        {"name": ""},
        {"language": "fr"},
        {"unexpected": "field"},
    ]
    for change in bad:
        body = {"username": "hanako2", **change}
        r = await rig.register(str(body.pop("username")), **body)
        assert r.status_code == 422, (change, r.text)
        assert "Traceback" not in r.text
    first = await rig.register("hanako2")
    again = await rig.register("Hanako2")  # taken: the same answer (test_enumeration.py)
    assert first.status_code == again.status_code == 202 and first.json() == again.json()


async def test_personal_data_travels_encrypted_and_is_shredded_by_erasure(rig: Rig) -> None:
    await rig.register("taro", name="Taro Suzuki")
    subject = await rig.subject_of("taro")
    headers = await rig.bearer("taro")
    await rig.http.patch("/me", json={"school": "Kyoto Seika University"}, headers=headers)
    topic = topic_for("identity", rig.prefix)
    raw = b"".join(r.value for r in await published(rig, topic, subject, "ProfileUpdated"))
    for secret in (b"Taro Suzuki", b"taro@example.jp", b"Kyoto Seika"):
        assert secret not in raw

    wrong = await rig.http.request(
        "DELETE", "/me", json={"password": "wrong password!"}, headers=headers
    )
    assert wrong.status_code == 401
    gone = await rig.http.request("DELETE", "/me", json={"password": PASSWORD}, headers=headers)
    assert gone.status_code == 204
    records = await published(rig, topic, subject, "SubjectErased")
    codec = Codec(rig.accounts.keyring)
    opened = list({e.event_id: e for e in [await codec.open(r.value) for r in records]}.values())
    assert [e.type for e in opened] == [
        "UserRegistered",
        "ProfileUpdated",
        "ErasureRequested",
        "SubjectErased",
    ]
    registered = opened[0].payload
    assert registered.name == ERASED and registered.email == ERASED  # type: ignore[attr-defined]
    assert (await rig.login("taro")).status_code == 401
    service = await service_token(rig)
    key = await rig.http.get(f"/internal/keys/{subject}", headers=service)
    assert key.status_code == 410


async def published(rig: Rig, topic: str, subject: str, last: str) -> list[ConsumerRecord]:
    """The subject's records on the topic, once the relay has published `last`."""
    for _ in range(100):
        records = [
            r
            for r in await read_topic(rig.bootstrap, topic)
            if f'"subject_id":"{subject}"'.encode() in r.value
        ]
        if any(f'"type":"{last}"'.encode() in r.value for r in records):
            return records
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{last} was not published")


async def service_token(rig: Rig) -> dict[str, str]:
    body = {
        "grant_type": "client_credentials",
        "client_id": "matching",
        "client_secret": SERVICE_SECRET,
    }
    r = await rig.http.post("/oauth/token", json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def test_the_keyring_answers_services_only(rig: Rig) -> None:
    await rig.register("jiro")
    subject = await rig.subject_of("jiro")
    service = await service_token(rig)
    key = await rig.http.get(f"/internal/keys/{subject}", headers=service)
    assert key.status_code == 200 and len(key.json()["key"]) >= 43
    student = await rig.bearer("jiro")
    assert (await rig.http.get(f"/internal/keys/{subject}", headers=student)).status_code == 403
    assert (await rig.http.get(f"/internal/keys/{subject}")).status_code == 401
    wrong = {"grant_type": "client_credentials", "client_id": "matching", "client_secret": "nope"}
    assert (await rig.http.post("/oauth/token", json=wrong)).status_code == 401


async def test_refresh_tokens_rotate_and_a_replay_signs_the_family_out(rig: Rig) -> None:
    await rig.register("saburo")
    first = (await rig.login("saburo")).json()
    second = await rig.http.post(
        "/sessions/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200
    replay = await rig.http.post(
        "/sessions/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert replay.status_code == 401 and replay.json()["detail"]["reason"] == "refresh_token_reused"
    after = await rig.http.post(
        "/sessions/refresh", json={"refresh_token": second.json()["refresh_token"]}
    )
    assert after.status_code == 401 and after.json()["detail"]["reason"] == "refresh_token_revoked"

    fresh = (await rig.login("saburo")).json()
    headers = await rig.exchange(fresh["access_token"], "identity")
    out = await rig.http.post(
        "/sessions/logout", json={"refresh_token": fresh["refresh_token"]}, headers=headers
    )
    assert out.status_code == 204
    r = await rig.http.post("/sessions/refresh", json={"refresh_token": fresh["refresh_token"]})
    assert r.status_code == 401


async def test_login_is_throttled_and_does_not_tell_who_exists(rig: Rig) -> None:
    await rig.register("shiro")
    wrong, unknown = [], []
    for i in range(5):
        t = time.perf_counter()
        a = await rig.login("shiro", f"wrong password {i}")
        wrong.append(time.perf_counter() - t)
        t = time.perf_counter()
        b = await rig.login(f"nobody{i}", f"wrong password {i}")
        unknown.append(time.perf_counter() - t)
        assert a.status_code == b.status_code == 401
        assert a.json() == b.json()
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.5 < ratio < 2.0, ratio
    sixth = await rig.login("shiro", PASSWORD)  # even the right password waits
    assert sixth.status_code == 429 and sixth.json()["detail"]["reason"] == "too_many_attempts"
    for _ in range(5):
        await rig.login("nobody-at-all", "guess guess guess")
    assert (await rig.login("nobody-at-all", "guess guess guess")).status_code == 429


async def test_staff_register_organisations_and_client_accounts(rig: Rig) -> None:
    staff = await rig.staff()
    org = {
        "organization_id": "org-jp",
        "legal_name": "Sakura Shoji K.K.",
        "address": "1-1 Marunouchi, Chiyoda, Tokyo",
        "representative": "Ichiro Sato",
        "country": "JP",
    }
    assert (await rig.http.post("/organisations", json=org, headers=staff)).status_code == 201
    assert (await rig.http.post("/organisations", json=org, headers=staff)).status_code == 409
    await rig.register("goro")
    student = await rig.bearer("goro")
    assert (await rig.http.post("/organisations", json=org, headers=student)).status_code == 403
    client = {
        "username": "client.user",
        "password": PASSWORD,
        "name": "Client User",
        "email": "client@example.jp",
        "role": "client",
        "organization_id": "org-jp",
    }
    assert (await rig.http.post("/accounts", json=client, headers=staff)).status_code == 201
    token = (await rig.login("client.user")).json()["access_token"]
    jwks = (await rig.http.get("/.well-known/jwks.json")).json()
    principal = await TokenVerifier(jwks=jwks, audience="gateway").verify(token)
    assert principal.role == Caller.CLIENT and principal.organization_id == "org-jp"
    no_org = {**client, "username": "client.two", "organization_id": "org-none"}
    r = await rig.http.post("/accounts", json=no_org, headers=staff)
    assert r.status_code == 422 and r.json()["detail"]["reason"] == "unknown_organisation"


async def test_the_first_staff_account_comes_from_the_admin_command(
    rig: Rig, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ac_identity import admin

    monkeypatch.setenv("IDENTITY_DATABASE_URL", database_url)
    monkeypatch.setenv("AC_ADMIN_PASSWORD", "short")
    args = ["create-account", "--role", "staff", "--username", "ops.lead", "--name", "Ops",
            "--email", "ops@example.jp"]  # fmt: skip
    assert await asyncio.to_thread(admin.main, args) == 2  # weak password refused
    monkeypatch.setenv("AC_ADMIN_PASSWORD", PASSWORD)
    assert await asyncio.to_thread(admin.main, args) == 0
    token = (await rig.login("ops.lead")).json()["access_token"]
    jwks = (await rig.http.get("/.well-known/jwks.json")).json()
    assert (await TokenVerifier(jwks=jwks, audience="gateway").verify(token)).role == Caller.STAFF


async def test_master_key_rotation_keeps_every_key_readable(
    infra: Infra, database_url: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ac_events.crypto import b64e, new_data_key
    from ac_identity import admin

    old, new = new_data_key(), new_data_key()

    async def person_readable(master: bytes, previous: bytes | None = None) -> str:
        settings = identity_settings(
            master_key=b64e(master),
            previous_master_key=b64e(previous) if previous else None,
            database_url=database_url,
            kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
            topic_prefix=topic_prefix,
            environment="test",
        )
        app = create_app(settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://i") as http,
        ):
            rig = Rig(app, http, topic_prefix, infra.kafka_bootstrap_servers)
            if previous is None and master == old:
                assert (await rig.register("mika")).status_code == 202
            me = (await rig.http.get("/me", headers=await rig.bearer("mika"))).json()
            return str(me["profile"]["email"])

    assert await person_readable(old) == "mika@example.jp"
    assert await person_readable(new, previous=old) == "mika@example.jp"  # during the rotation
    monkeypatch.setenv("IDENTITY_DATABASE_URL", database_url)
    monkeypatch.setenv("IDENTITY_MASTER_KEY", b64e(new))
    monkeypatch.setenv("IDENTITY_PREVIOUS_MASTER_KEY", b64e(old))
    assert await asyncio.to_thread(admin.main, ["rotate-master-key"]) == 0
    assert await person_readable(new) == "mika@example.jp"  # the old key is gone
    with pytest.raises(Exception, match="authenticate"):
        await person_readable(old)  # and the old key reads nothing any more
