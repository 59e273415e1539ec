"""The platform as a test needs it: identity, consent, resumes, matching, the audit and the
desk (and, if asked, notifications with an SMTP server) as real HTTP servers, the gateway in
front. The desk runs on a clock the test moves (`Platform.desk_clock`), with one supervisor
(`Platform.supervisor`, a staff account signed in as `SUPERVISOR`).

Each service gets a database of its own and the test's topic prefix; the
consent service verifies tokens against identity's JWKS over HTTP, and learns
organisations and erasures from identity's topic, as in production.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from ac_audit.app import create_app as create_audit
from ac_audit.settings import AuditSettings
from ac_consent.app import create_app as create_consent
from ac_consent.settings import ConsentSettings
from ac_contracts.identity import ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE, Profile
from ac_contracts.services import SERVICES as REGISTRY
from ac_desk.app import create_app as create_desk
from ac_desk.settings import DeskSettings
from ac_events.catalogue import Language, Role
from ac_gateway.app import create_app as create_gateway
from ac_gateway.settings import GatewaySettings
from ac_identity.app import create_app as create_identity
from ac_identity.commands import Accounts
from ac_identity.deps import IdentityDeps
from ac_identity.settings import IdentitySettings
from ac_matching.app import create_app as create_matching
from ac_matching.settings import MatchingSettings
from ac_notifications.app import create_app as create_notifications
from ac_notifications.settings import NotificationsSettings
from ac_platform.clock import Clock, utc_now
from ac_platform.http import SERVER_KEEPALIVE_S
from ac_resumes.app import create_app as create_resumes
from ac_resumes.settings import ResumesSettings
from tests.support.clock import SkippingClock
from tests.support.infra import Infra, create_database, drop_database
from tests.support.net import free_port
from tests.support.smtp import SmtpServer

SECRET = "the tests' service secret"
"""Client credentials of `tests` and of each service at identity."""
SERVICES = ("tests", "gateway", "notifications", "resumes", "matching", "audit", "desk")
EVERY_SERVICE = tuple(s.name for s in REGISTRY)
SUPERVISOR = "desk.supervisor"
"""The desk's supervisor's username (a staff account every platform has), password `PASSWORD`."""
PASSWORD = "the desk supervisor's passphrase"


def tests_client(**values: Any) -> dict[str, Any]:
    """Identity's settings for the `tests` client: a token for any service, the keyring, and
    the exchange of a person's token (as the gateway does), so tests may call services
    directly."""
    return {
        "service_credentials": json.dumps({"tests": IdentitySettings.secret_digest(SECRET)}),
        "extra_key_readers": ("tests",),
        "extra_audiences": {"tests": EVERY_SERVICE},
        "exchangers": ("gateway", "tests"),
        **values,
    }


def identity_settings(**values: Any) -> IdentitySettings:
    """Identity's settings for a test: argon2id at its lowest cost (the suite hashes hundreds
    of passwords; production refuses it)."""
    return IdentitySettings(hash_time_cost=1, hash_memory_kib=1024, **tests_client(**values))


@asynccontextmanager
async def serving(app: ASGIApp, port: int, lifespan: bool = True) -> AsyncIterator[None]:
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on" if lifespan else "off",
        timeout_keep_alive=SERVER_KEEPALIVE_S,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("server stopped while starting")
        await asyncio.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def database(infra: Infra) -> AsyncIterator[str]:
    url = await create_database(infra.database_url)
    try:
        yield url
    finally:
        await drop_database(infra.database_url, url)


@dataclass
class Platform:
    gateway: httpx.AsyncClient
    identity: FastAPI
    consent: FastAPI
    resumes: FastAPI
    matching: FastAPI
    gateway_app: FastAPI
    identity_url: str
    consent_url: str
    desk: FastAPI
    desk_clock: SkippingClock
    supervisor: str
    """The subject id of the desk's supervisor (`SUPERVISOR`)."""
    smtp: SmtpServer | None = None
    notifications: FastAPI | None = None
    identity_clock: SkippingClock | None = None
    """When identity thinks it is (a test moves it past a reset link's 30 minutes)."""

    async def login(self, username: str, password: str) -> tuple[dict[str, str], str]:
        """Logs in through the gateway: the bearer header and the person's subject id."""
        r = await self.gateway.post(
            "/v1/auth/login", json={"username": username, "password": password}
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}, r.json()["subject_id"]

    async def until_done(
        self, method: str, path: str, body: Any, headers: dict[str, str], tries: int = 300
    ) -> Any:
        """Calls the gateway until a service has consumed what the call needs (organisations,
        people, CVs arrive by Kafka): 409 and 422 mean "not yet"; returns the JSON answer."""
        for _ in range(tries):
            r = await self.gateway.request(method, path, json=body, headers=headers)
            if r.status_code < 300:
                return r.json()
            assert r.status_code in (409, 422), r.text
            await asyncio.sleep(0.1)
        raise AssertionError(f"{method} {path}: {r.text}")

    async def narrowed(self, headers: dict[str, str], audience: str) -> dict[str, str]:
        """A person's bearer header (their own token, for the gateway) exchanged, as the
        gateway does, for one of `audience`: for a test that calls a service directly."""
        return await exchanged(self.identity_url, headers, audience)

    @property
    def accounts(self) -> Accounts:
        deps = self.identity.state.deps
        assert isinstance(deps, IdentityDeps)
        return deps.accounts


async def exchanged(identity_url: str, headers: dict[str, str], audience: str) -> dict[str, str]:
    """`headers`' bearer token exchanged at identity for one of `audience` (as `tests`)."""
    body = {"grant_type": TOKEN_EXCHANGE, "client_id": "tests", "client_secret": SECRET,
            "subject_token": headers["Authorization"].removeprefix("Bearer "),
            "subject_token_type": ACCESS_TOKEN_TYPE, "audience": audience}  # fmt: skip
    async with httpx.AsyncClient(base_url=identity_url) as client:
        r = await client.post("/oauth/token", json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@asynccontextmanager
async def platform(
    infra: Infra,
    prefix: str,
    erasure_grace_s: float = 0.5,
    notifications: bool = False,
    matching: dict[str, Any] | None = None,
    matching_clock: Clock = utc_now,
    *,
    web_origin: str | None = None,
    gateway_port: int | None = None,
) -> AsyncIterator[Platform]:
    """Identity and consent (and, with `notifications`, that service and an SMTP server);
    `matching` overrides matching's settings, `matching_clock` is when it thinks it is.

    For a browser: `web_origin` is the web app's (the gateway's CORS origin, and where the
    emails' links point), and `gateway_port` serves the gateway on a real port too."""
    kafka = infra.kafka_bootstrap_servers
    async with AsyncExitStack() as stack:
        identity_db = await stack.enter_async_context(database(infra))
        consent_db = await stack.enter_async_context(database(infra))
        identity_port, consent_port = free_port(), free_port()
        identity_url = f"http://127.0.0.1:{identity_port}"
        identity_clock = SkippingClock()
        identity = create_identity(
            identity_settings(
                database_url=identity_db,
                kafka_bootstrap_servers=kafka,
                topic_prefix=prefix,
                environment="test",
                erasure_grace_s=erasure_grace_s,
                service_credentials=json.dumps(
                    {s: IdentitySettings.secret_digest(SECRET) for s in SERVICES}
                ),
            ),
            identity_clock,
        )
        await stack.enter_async_context(serving(identity, identity_port))
        accounts = identity.state.deps.accounts
        supervisor, _ = await accounts.register(
            Profile(
                username=SUPERVISOR,
                name="Desk Supervisor",
                email="supervisor@example.jp",
                language=Language.EN,
            ),
            PASSWORD,
            Role.STAFF,
        )
        consent = create_consent(
            ConsentSettings(
                database_url=consent_db,
                auth_jwks_url=f"{identity_url}/.well-known/jwks.json",
                kafka_bootstrap_servers=kafka,
                topic_prefix=prefix,
                environment="test",
            )
        )
        await stack.enter_async_context(serving(consent, consent_port))
        consent_url = f"http://127.0.0.1:{consent_port}"
        peers: dict[str, Any] = {
            "kafka_bootstrap_servers": kafka,
            "topic_prefix": prefix,
            "environment": "test",
            "identity_url": identity_url,
            "consent_url": consent_url,
            "client_secret": SECRET,
        }
        resumes_port, matching_port = free_port(), free_port()
        resumes = create_resumes(
            ResumesSettings(database_url=await stack.enter_async_context(database(infra)), **peers)
        )
        await stack.enter_async_context(serving(resumes, resumes_port))
        matching_app = create_matching(
            MatchingSettings(database_url=await stack.enter_async_context(database(infra)),
                             **peers, **(matching or {})),
            matching_clock,
        )  # fmt: skip
        await stack.enter_async_context(serving(matching_app, matching_port))
        audit_port = free_port()
        audit = create_audit(AuditSettings(**peers))
        await stack.enter_async_context(serving(audit, audit_port))
        notifications_port, smtp, notifications_app = free_port(), None, None
        if notifications:
            smtp = SmtpServer()
            smtp.start()
            stack.callback(smtp.stop)
            notifications_app = create_notifications(
                NotificationsSettings(
                    database_url=await stack.enter_async_context(database(infra)),
                    smtp_port=smtp.port,
                    public_url=web_origin
                    or NotificationsSettings.model_fields["public_url"].default,
                    **peers,
                )
            )
            await stack.enter_async_context(serving(notifications_app, notifications_port))
        desk_port, desk_clock = free_port(), SkippingClock()
        desk = create_desk(
            DeskSettings(database_url=await stack.enter_async_context(database(infra)),
                         supervisors=(supervisor,), deadline_every_s=0.5,
                         audit_url=f"http://127.0.0.1:{audit_port}", **peers),
            clock=desk_clock,
        )  # fmt: skip
        await stack.enter_async_context(serving(desk, desk_port))
        gateway_app = create_gateway(
            GatewaySettings(
                identity_url=identity_url,
                consent_url=consent_url,
                resumes_url=f"http://127.0.0.1:{resumes_port}",
                matching_url=f"http://127.0.0.1:{matching_port}",
                notifications_url=f"http://127.0.0.1:{notifications_port}",
                audit_url=f"http://127.0.0.1:{audit_port}",
                desk_url=f"http://127.0.0.1:{desk_port}",
                environment="test",
                auth_rate_per_minute=1000,
                refresh_rate_per_minute=1000,
                address_rate_per_minute=10_000,
                client_secret=SECRET,
                database_url=await stack.enter_async_context(database(infra)),
                cors_origins=(web_origin,) if web_origin else (),
            )
        )
        await stack.enter_async_context(gateway_app.router.lifespan_context(gateway_app))
        if gateway_port is not None:
            await stack.enter_async_context(serving(gateway_app, gateway_port, lifespan=False))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway_app), base_url="http://gw")
        )
        yield Platform(
            client,
            identity,
            consent,
            resumes,
            matching_app,
            gateway_app,
            identity_url,
            consent_url,
            desk,
            desk_clock,
            supervisor,
            smtp,
            notifications_app,
            identity_clock,
        )
