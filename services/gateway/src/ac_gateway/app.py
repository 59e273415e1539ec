"""The gateway service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from ac_gateway.api import router
from ac_gateway.limits import BodyLimit, RateLimiter
from ac_gateway.settings import GatewaySettings
from ac_gateway.upstream import Unavailable, Upstreams
from ac_platform.service import Resources, create_service_app


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    async def open_upstreams(res: Resources) -> None:
        app.state.upstreams = Upstreams(settings.upstreams(), settings.upstream_timeout_s)

    async def close_upstreams(res: Resources) -> None:
        await app.state.upstreams.close()

    app = create_service_app(
        settings,
        title="Active Connector API",
        description="The one public API of the platform: every route checks who is calling.",
        routers=[router],
        database=False,
        kafka=False,
        on_start=[open_upstreams],
        on_stop=[close_upstreams],
    )
    app.state.rate_limiter = RateLimiter(settings.auth_rate_per_minute)

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> JSONResponse:
        detail = {"reason": "upstream_unavailable", "message": f"{exc.service} is unavailable"}
        return JSONResponse({"detail": detail}, status_code=exc.status)

    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Correlation-ID"],
        expose_headers=["X-Correlation-ID"],
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
