"""Tokens narrowed to one service, and ended at once (issue 14, items 13 and 8).

- The gateway never forwards a person's own token: each service it calls gets a token of a
  minute for that service alone (exchanged at identity), useless anywhere else.
- A person's own token is for the gateway alone; a service's own names one peer; only the
  services that decrypt may fetch a data key.
- A signed-out or erased person's token stops at once, on every route.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from ac_gateway.app import create_app as create_gateway
from ac_gateway.deps import GatewayDeps
from ac_gateway.settings import GatewaySettings
from tests.support.infra import Infra, unique_prefix
from tests.support.net import free_port
from tests.support.platform import SECRET, Platform, platform, serving
from tests.support.policy import texts

PASSWORD = "correct horse battery staple"
POLICY = {"policy_version": "v9", "effective_at": "2026-04-01T00:00:00Z", "texts": texts("v9")}


@pytest.fixture
async def live(infra: Infra) -> AsyncIterator[Platform]:
    async with platform(infra, unique_prefix()) as p:
        yield p


async def staff(p: Platform) -> tuple[dict[str, str], str]:
    await p.accounts.register(
        Profile(username="staff", name="S", email="s@example.jp"), PASSWORD, Role.STAFF
    )
    return await p.login("staff", PASSWORD)


def claims(token: str) -> dict[str, Any]:
    found: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return found


async def test_a_service_receives_a_token_for_itself_alone(
    live: Platform, database_url: str
) -> None:
    p = live
    headers, subject = await staff(p)
    seen: list[str] = []

    async def notifications(request: Request) -> JSONResponse:  # a service that keeps tokens
        seen.append(request.headers["authorization"].removeprefix("Bearer "))
        return JSONResponse([])

    port = free_port()
    probe = Starlette(routes=[Route("/subjects/{s}/notifications", notifications)])
    deps = p.gateway_app.state.deps
    assert isinstance(deps, GatewayDeps)
    urls: dict[str, Any] = {f"{name}_url": url for name, url in deps.upstreams.urls.items()}
    urls["notifications_url"] = f"http://127.0.0.1:{port}"
    settings = GatewaySettings.model_validate(
        {**urls, "environment": "test", "client_secret": SECRET, "database_url": database_url}
    )
    gateway = create_gateway(settings)
    async with (
        serving(probe, port),
        gateway.router.lifespan_context(gateway),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://g") as g,
    ):
        assert (await g.get("/v1/me/notifications", headers=headers)).status_code == 200
    [caught] = seen
    got = claims(caught)
    assert got["sub"] == subject and got["role"] == "staff" and got["aud"] == "notifications"
    assert got["exp"] - got["iat"] <= 60 and got["act"] == {"sub": "gateway"}
    stolen = {"Authorization": f"Bearer {caught}"}
    async with httpx.AsyncClient(base_url=p.consent_url) as consent:
        r = await consent.post("/policies", json=POLICY, headers=stolen)
        assert r.status_code == 401, r.text  # not for consent
        r = await consent.post("/policies", json=POLICY, headers=headers)
        assert r.status_code == 401, r.text  # and the person's own token is the gateway's
    assert (await p.gateway.get("/v1/me", headers=stolen)).status_code == 401
    assert (await p.gateway.post("/v1/policies", json=POLICY, headers=headers)).status_code == 201


async def service_token(p: Platform, client: str, audience: str) -> httpx.Response:
    body = {"grant_type": "client_credentials", "client_id": client, "client_secret": SECRET,
            "audience": audience}  # fmt: skip
    async with httpx.AsyncClient(base_url=p.identity_url) as identity:
        return await identity.post("/oauth/token", json=body)


async def test_service_tokens_name_one_peer_and_only_decrypting_services_get_keys(
    live: Platform,
) -> None:
    p = live
    _, subject = await staff(p)
    assert (await service_token(p, "gateway", "consent")).status_code == 403  # not its peer
    matching = await service_token(p, "matching", "consent")
    assert matching.status_code == 200
    for_consent = {"Authorization": f"Bearer {matching.json()['access_token']}"}
    async with httpx.AsyncClient(base_url=p.identity_url) as identity:
        r = await identity.get(f"/internal/keys/{subject}", headers=for_consent)
        assert r.status_code == 401  # a token for consent is nothing at identity
        gateway = (await service_token(p, "gateway", "identity")).json()["access_token"]
        r = await identity.get(
            f"/internal/keys/{subject}", headers={"Authorization": f"Bearer {gateway}"}
        )
        assert r.status_code == 403 and r.json()["detail"]["reason"] == "forbidden"
        reader = (await service_token(p, "matching", "identity")).json()["access_token"]
        r = await identity.get(
            f"/internal/keys/{subject}", headers={"Authorization": f"Bearer {reader}"}
        )
        assert r.status_code == 200


async def test_a_signed_out_or_erased_persons_token_stops_at_once(live: Platform) -> None:
    p = live
    body = {"username": "kiku", "password": PASSWORD, "name": "Kiku", "email": "k@example.jp"}
    assert (await p.gateway.post("/v1/users", json=body)).status_code == 202
    login = {"username": "kiku", "password": PASSWORD}
    first = (await p.gateway.post("/v1/auth/login", json=login)).json()
    one = {"Authorization": f"Bearer {first['access_token']}"}
    two = (await p.login("kiku", PASSWORD))[0]
    assert (await p.gateway.get("/v1/me/consents", headers=one)).status_code == 200
    out = await p.gateway.post(
        "/v1/auth/logout", json={"refresh_token": first["refresh_token"]}, headers=one
    )
    assert out.status_code == 204
    r = await p.gateway.get("/v1/me/consents", headers=one)  # signed out: that session only
    assert r.status_code == 401 and r.json()["detail"]["reason"] == "session_ended"
    assert (await p.gateway.get("/v1/me/consents", headers=two)).status_code == 200

    # Erased (as the desk's verified erasure request has identity do it).
    await p.accounts.erase((await p.gateway.get("/v1/me", headers=two)).json()["subject_id"])
    for method, path in (("GET", "/v1/me/consents"), ("GET", "/v1/me/disclosures"),
                         ("GET", "/v1/me/applications"), ("GET", "/v1/me/notifications"),
                         ("GET", "/v1/me")):  # fmt: skip
        r = await p.gateway.request(method, path, headers=two)
        assert r.status_code == 401, (path, r.text)
        assert r.json()["detail"]["reason"] == "session_ended"
