"""The gateway service: app factory and wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from ac_gateway.allow import AllowHeader
from ac_gateway.limits import BodyLimit, RateLimiter
from ac_gateway.relay import router_of
from ac_gateway.routes import ROUTES
from ac_gateway.settings import GatewaySettings
from ac_gateway.upstream import Upstreams
from ac_platform.resources import Resources
from ac_platform.service import Wired, Wiring, create_service_app

METHODS = sorted({route.method for route in ROUTES})
"""The methods a browser may use across origins: exactly those of the API."""


def wiring(settings: GatewaySettings) -> Wiring:
    @asynccontextmanager
    async def wire(res: Resources) -> AsyncIterator[Wired[Upstreams]]:
        upstreams = Upstreams(settings.upstreams(), settings.upstream_timeout_s)
        try:
            yield Wired(upstreams)
        finally:
            await upstreams.close()

    return wire


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    app = create_service_app(
        settings,
        title="Active Connector API",
        description="The one public API of the platform: every route checks who is calling.",
        routers=[router_of(ROUTES)],
        database=False,
        kafka=False,
        wiring=wiring(settings),
    )
    app.state.rate_limiter = RateLimiter(settings.auth_rate_per_minute)
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
    return app
