"""The rate limits at the edge and the back-off of failed sign-ins (issue 14, item 5).

Before, the gateway limited sign-ins per `request.client.host`: behind an ingress that is
the ingress pod, so 20 sign-ins a minute, by anyone, denied everyone; each replica counted
alone; refreshes shared the bucket. Identity locked a username for a minute after five
failures, whoever made them: anyone could lock out anyone, staff included.

Now: limits per (client address, username), refresh in its own bucket, counted in the
gateway's database by every replica; `X-Forwarded-For` believed only from a trusted proxy;
and identity slows a source that fails, never the owner elsewhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from ac_gateway.app import create_app as create_gateway
from ac_gateway.deps import GatewayDeps
from ac_gateway.settings import GatewaySettings
from tests.support.infra import Infra, unique_prefix
from tests.support.platform import SECRET, Platform, database, platform

PASSWORD = "correct horse battery staple"
NOON = datetime.now(UTC).replace(second=30, microsecond=0)
"""The gateways' clock: the middle of one minute, so no count straddles two windows."""


@pytest.fixture
async def live(infra: Infra) -> AsyncIterator[Platform]:
    async with platform(infra, unique_prefix()) as p:
        yield p


@asynccontextmanager
async def gateway(p: Platform, db: str, **values: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Another replica of the gateway in front of the platform's services, on `db`."""
    deps = p.gateway_app.state.deps
    assert isinstance(deps, GatewayDeps)
    urls = {f"{name}_url": url for name, url in deps.upstreams.urls.items()}
    settings = GatewaySettings.model_validate(
        {**urls, "environment": "test", "client_secret": SECRET, "database_url": db, **values}
    )
    app = create_gateway(settings, clock=lambda: NOON)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as g,
    ):
        yield g


def sign_in(username: str, password: str = "not the password") -> dict[str, str]:
    return {"username": username, "password": password}


def at(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


LOW = {"auth_rate_per_minute": 3, "refresh_rate_per_minute": 5, "trusted_proxies": ["127.0.0.1"]}


async def register(p: Platform, username: str) -> None:
    body = {"username": username, "password": PASSWORD, "name": "N", "email": f"{username}@e.jp"}
    assert (await p.gateway.post("/v1/users", json=body)).status_code == 202


async def test_sign_ins_count_per_address_and_username_and_refresh_apart(
    live: Platform, infra: Infra
) -> None:
    p = live
    await register(p, "owner")
    async with database(infra) as db, gateway(p, db, **LOW) as g:
        for _ in range(3):
            r = await g.post("/v1/auth/login", json=sign_in("owner"), headers=at("203.0.113.7"))
            assert r.status_code == 401, r.text
        limited = await g.post("/v1/auth/login", json=sign_in("owner"), headers=at("203.0.113.7"))
        assert limited.status_code == 429 and limited.json()["detail"]["reason"] == "rate_limited"
        elsewhere = await g.post(
            "/v1/auth/login", json=sign_in("owner", PASSWORD), headers=at("198.51.100.2")
        )
        assert elsewhere.status_code == 200, elsewhere.text  # the owner, from their address
        assert limited.headers["retry-after"] == "30"  # the rest of the minute
        other = await g.post("/v1/auth/login", json=sign_in("someone"), headers=at("203.0.113.7"))
        assert other.status_code == 401  # another username from the same address
        refresh = {"refresh_token": "not-a-real-refresh-token"}
        r = await g.post("/v1/auth/refresh", json=refresh, headers=at("203.0.113.7"))
        assert r.status_code == 401  # a bucket of its own


async def test_every_replica_counts_against_the_same_limits(live: Platform, infra: Infra) -> None:
    p = live
    async with database(infra) as db, gateway(p, db, **LOW) as one, gateway(p, db, **LOW) as two:
        for replica in (one, two, one):
            r = await replica.post("/v1/auth/login", json=sign_in("x"), headers=at("192.0.2.9"))
            assert r.status_code == 401
        r = await two.post("/v1/auth/login", json=sign_in("x"), headers=at("192.0.2.9"))
        assert r.status_code == 429


async def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(
    live: Platform, infra: Infra
) -> None:
    p = live
    untrusting = {**LOW, "trusted_proxies": []}
    async with database(infra) as db, gateway(p, db, **untrusting) as g:
        for i in range(3):  # a client that makes up a new address each time is still one
            r = await g.post("/v1/auth/login", json=sign_in("y"), headers=at(f"10.9.9.{i}"))
            assert r.status_code == 401
        r = await g.post("/v1/auth/login", json=sign_in("y"), headers=at("10.9.9.99"))
        assert r.status_code == 429


async def test_a_stranger_slows_only_themself_never_the_owner(live: Platform, infra: Infra) -> None:
    p = live
    await register(p, "staff.lead")
    trusting = {"auth_rate_per_minute": 1000, "trusted_proxies": ["127.0.0.1"]}
    async with database(infra) as db, gateway(p, db, **trusting) as g:
        stranger = at("203.0.113.66")
        for _ in range(5):
            r = await g.post("/v1/auth/login", json=sign_in("staff.lead"), headers=stranger)
            assert r.status_code == 401
        r = await g.post("/v1/auth/login", json=sign_in("staff.lead", PASSWORD), headers=stranger)
        assert r.status_code == 429 and r.json()["detail"]["reason"] == "too_many_attempts"
        assert int(r.headers["retry-after"]) >= 1  # a wait that grows, not a lock
        owner = at("198.51.100.20")
        r = await g.post("/v1/auth/login", json=sign_in("staff.lead", PASSWORD), headers=owner)
        assert r.status_code == 200, r.text
        # A caller other than the gateway cannot choose the address it is counted under.
        async with httpx.AsyncClient(base_url=p.identity_url) as identity:
            forged = {"x-ac-client-address": "198.51.100.21"}
            for _ in range(6):
                await identity.post("/sessions", json=sign_in("staff.lead"), headers=forged)
        r = await g.post(
            "/v1/auth/login", json=sign_in("staff.lead", PASSWORD), headers=at("198.51.100.21")
        )
        assert r.status_code == 200, r.text


async def test_guessing_from_many_addresses_slows_strangers_but_not_the_owners_address(
    live: Platform, infra: Infra
) -> None:
    """Past the account-wide allowance (guesses spread over many addresses), a new address
    waits, even with the right password; an address the owner signed in from does not."""
    p = live
    await register(p, "dean")
    p.identity.state.deps.accounts.passwords.clock = lambda: NOON  # the waits hold still
    trusting = {"auth_rate_per_minute": 1000, "trusted_proxies": ["127.0.0.1"]}
    async with database(infra) as db, gateway(p, db, **trusting) as g:
        home = at("198.51.100.40")
        r = await g.post("/v1/auth/login", json=sign_in("dean", PASSWORD), headers=home)
        assert r.status_code == 200, r.text
        for i in range(10):  # 5 guesses from each of 10 addresses: 50, the allowance
            for _ in range(5):
                guess = await g.post("/v1/auth/login", json=sign_in("dean"), headers=at(f"203.0.113.{i}"))  # fmt: skip
                assert guess.status_code == 401, guess.text
        new = await g.post("/v1/auth/login", json=sign_in("dean", PASSWORD), headers=at("192.0.2.77"))  # fmt: skip
        assert new.status_code == 429 and new.json()["detail"]["reason"] == "too_many_attempts"
        r = await g.post("/v1/auth/login", json=sign_in("dean", PASSWORD), headers=home)
        assert r.status_code == 200, r.text
