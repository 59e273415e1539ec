"""[R] "Ready" means ready: a service answers `/readyz` 200 only once it can do its work, and a
token signed by identity is accepted from that instant on, however many arrive at once."""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ac_consent.app import create_app as create_consent
from ac_consent.settings import ConsentSettings
from ac_identity.app import create_app as create_identity
from ac_identity.settings import IdentitySettings
from ac_platform.auth import TokenVerifier
from tests.support.infra import Infra, unique_prefix
from tests.support.net import free_port
from tests.support.platform import SECRET, SERVICES, database, identity_settings, serving
from tests.support.tokens import TokenMint

BURST = 40


async def test_a_burst_of_valid_tokens_the_instant_readyz_answers_200_is_accepted(
    infra: Infra,
) -> None:
    prefix, kafka = unique_prefix(), infra.kafka_bootstrap_servers
    async with AsyncExitStack() as stack:
        identity_port, consent_port = free_port(), free_port()
        identity_url = f"http://127.0.0.1:{identity_port}"
        identity = create_identity(identity_settings(
            database_url=await stack.enter_async_context(database(infra)),
            kafka_bootstrap_servers=kafka, topic_prefix=prefix, environment="test",
            service_credentials=json.dumps(
                {s: IdentitySettings.secret_digest(SECRET) for s in SERVICES}),
        ))  # fmt: skip
        await stack.enter_async_context(serving(identity, identity_port))
        async with httpx.AsyncClient(base_url=identity_url) as idp:
            grant = {"grant_type": "client_credentials", "client_id": "tests",
                     "client_secret": SECRET, "audience": "consent"}  # fmt: skip
            token = (await idp.post("/oauth/token", json=grant)).json()["access_token"]
        consent = create_consent(ConsentSettings(
            database_url=await stack.enter_async_context(database(infra)),
            auth_jwks_url=f"{identity_url}/.well-known/jwks.json",
            kafka_bootstrap_servers=kafka, topic_prefix=prefix, environment="test",
        ))  # fmt: skip
        server = uvicorn.Server(uvicorn.Config(consent, host="127.0.0.1", port=consent_port,
                                               log_level="warning", lifespan="on"))  # fmt: skip
        task = asyncio.create_task(server.serve())
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{consent_port}") as c:
                while True:  # poll as an orchestrator's probe would, as fast as it can
                    assert not task.done(), "consent stopped while starting"
                    try:
                        if (await c.get("/readyz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.01)
                bearer = {"Authorization": f"Bearer {token}"}
                answers = await asyncio.gather(
                    *(c.get("/policies", headers=bearer) for _ in range(BURST))
                )
                ready = (await c.get("/readyz")).json()
        finally:
            server.should_exit = True
            await task
    assert [r.status_code for r in answers] == [200] * BURST, {r.text for r in answers}
    assert ready["checks"]["token_keys"] == "ok" and ready["checks"]["workers"] == "ok"


async def test_a_rotated_key_is_fetched_once_for_a_burst_of_its_tokens() -> None:
    """A token whose key id is not known yet makes the verifier fetch the key set, once for
    every request waiting on it (before: each concurrent request refused "unknown key")."""
    old, new = TokenMint("old-key"), TokenMint("new-key")
    published = {"keys": old.jwks()["keys"]}
    fetches = 0

    async def jwks(_: Request) -> JSONResponse:
        nonlocal fetches
        fetches += 1
        await asyncio.sleep(0)  # let the burst pile up behind the first fetch
        return JSONResponse(published)

    port = free_port()
    keys = Starlette(routes=[Route("/jwks", jwks)])
    async with serving(keys, port):
        verifier = TokenVerifier(jwks_url=f"http://127.0.0.1:{port}/jwks", audience="consent")
        assert await verifier.prefetch() and fetches == 1
        published["keys"] = [*old.jwks()["keys"], *new.jwks()["keys"]]  # identity rotates
        tokens = [new.token(f"s-{i}", "student") for i in range(BURST)]
        principals = await asyncio.gather(*(verifier.verify(t) for t in tokens))
    assert [p.subject for p in principals] == [f"s-{i}" for i in range(BURST)]
    assert fetches == 2
