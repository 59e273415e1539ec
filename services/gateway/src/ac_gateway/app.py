"""The gateway service: app factory and wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ac_events.migrator import source
from ac_gateway.allow import AllowHeader
from ac_gateway.deps import GatewayDeps
from ac_gateway.limits import BodyLimit, RateLimiter
from ac_gateway.relay import router_of
from ac_gateway.routes import ROUTES
from ac_gateway.settings import GatewaySettings
from ac_gateway.upstream import Upstreams
from ac_platform.clock import Clock, utc_now
from ac_platform.resources import Resources
from ac_platform.service import Wired, Wiring, create_service_app
from ac_platform.workers import Periodic

METHODS = sorted({route.method for route in ROUTES})
"""The methods a browser may use across origins: exactly those of the API."""


def wiring(settings: GatewaySettings, clock: Clock) -> Wiring:
    @asynccontextmanager
    async def wire(res: Resources) -> AsyncIterator[Wired[GatewayDeps]]:
        secret = settings.client_secret.get_secret_value()
        upstreams = Upstreams(
            settings.upstreams(), settings.upstream_timeout_s, settings.client_id, secret
        )
        per_minute = {"sign-in": settings.auth_rate_per_minute,
                      "account": settings.auth_rate_per_minute,
                      "refresh": settings.refresh_rate_per_minute,
                      "address": settings.address_rate_per_minute}  # fmt: skip
        limiter = RateLimiter(res.db, per_minute, f"limits:{secret}".encode(), clock)
        try:
            yield Wired(GatewayDeps(upstreams, limiter), [Periodic("limits", limiter.prune, 60)])
        finally:
            await upstreams.close()

    return wire


def create_app(settings: GatewaySettings | None = None, clock: Clock = utc_now) -> FastAPI:
    """`clock` is when the rate limits think it is (tests drive it)."""
    settings = settings or GatewaySettings()
    app = create_service_app(
        settings,
        title="Active Connector API",
        description="The one public API of the platform: every route checks who is calling.",
        routers=[router_of(ROUTES)],
        migrations=[source("ac_gateway")],
        kafka=False,
        wiring=wiring(settings, clock),
    )
    app.state.cors_origins = frozenset(settings.cors_origins)
    app.add_middleware(AllowHeader, routes=ROUTES)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=METHODS,
        allow_credentials=True,  # the session cookie (ac_gateway.session), on its routes only
        allow_headers=["Authorization", "Content-Type", "X-Correlation-ID", "Idempotency-Key"],
        expose_headers=["X-Correlation-ID", "Idempotent-Replayed"],
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # Outermost: the client's address is a trusted proxy's `X-Forwarded-For` hop, else the peer.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return app
