"""One call that gives every service the same skeleton (STYLE: eShop's service defaults).

`create_service_app` returns a FastAPI app with:
- a lifespan that creates the service's database if needed, applies the
  library's and the service's migrations, opens an asyncpg pool and a Kafka
  producer (as the service needs them), runs the service's own start/stop
  hooks, and closes everything;
- `GET /healthz` (the process is up) and `GET /readyz` (its database answers
  `SELECT 1` and Kafka answers a metadata request; 503 naming what failed);
- JSON logs with personal data redacted, a correlation id per request
  (`X-Correlation-ID`, made when absent, echoed back), OpenTelemetry spans;
- errors that never leak internals: a broken rule (`ac_events.errors.RuleError`)
  is its own 4xx `{"detail": {"reason", "message"}}`, an unreachable peer
  (`ConnectionError`, e.g. identity's keyring) a 503, and an unexpected
  exception a 500 `{"detail": "internal error", "correlation_id": ...}`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ac_events.context import correlation_id
from ac_events.errors import RuleError
from ac_events.kafka import make_producer
from ac_events.migrator import LIBRARY, Source, ensure_database, migrate
from ac_events.tracing import setup_tracing
from ac_platform.auth import verifier_from
from ac_platform.logs import setup_logging
from ac_platform.metrics import Metrics, MetricsMiddleware
from ac_platform.settings import ServiceSettings

log = logging.getLogger(__name__)

Hook = Callable[["Resources"], Awaitable[None]]


@dataclass
class Resources:
    """What the lifespan opened, for routes (`request.app.state.resources`) and hooks."""

    settings: ServiceSettings
    pool: asyncpg.Pool | None = None
    producer: AIOKafkaProducer | None = None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def db(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError(f"{self.settings.service_name} has no database")
        return self.pool


def resources(request: Request) -> Resources:
    """The app's `Resources` (pool, producer, settings, extras), for a route."""
    res: Resources = request.app.state.resources
    return res


def refuse(status: int, reason: str, message: str, **extra: Any) -> HTTPException:
    """A 4xx/5xx answered as `{"detail": {"reason": <code>, "message": <text>, ...}}`."""
    return HTTPException(status, {"reason": reason, "message": message, **extra})


async def _database_ready(pool: asyncpg.Pool) -> None:
    async with asyncio.timeout(2):
        await pool.fetchval("SELECT 1")


async def _kafka_ready(producer: AIOKafkaProducer) -> None:
    async with asyncio.timeout(3):
        await producer.client.fetch_all_metadata()


class CorrelationMiddleware:
    """A correlation id per request (`X-Correlation-ID`, made when absent, echoed back),
    and the last line of defence: an unexpected exception is logged by type only and
    answered `500 {"detail": "internal error"}`. Plain ASGI (no per-request task)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-correlation-id", "")
        cid = given if 0 < len(given) <= 100 and given.isprintable() else str(uuid.uuid4())
        token = correlation_id.set(cid)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-correlation-id", cid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # say nothing of it to the caller
            log.error("unhandled %s on %s %s", type(exc).__name__, scope["method"], scope["path"])
            if not started:
                response = JSONResponse(
                    {"detail": "internal error", "correlation_id": cid}, status_code=500
                )
                await response(scope, receive, send_with_id)
        finally:
            correlation_id.reset(token)


class NulGuard:
    """Refuses a request body holding the NUL character (JSON `\\u0000`) with a 422:
    PostgreSQL text cannot store it, and no field of ours has a use for it. The body is
    read first (bodies are small; the gateway caps them) and then handed on unchanged."""

    NUL = b"\\u0000"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        if self.NUL in b"".join(m.get("body", b"") for m in messages):
            detail = {
                "reason": "nul_character",
                "message": "text may not contain the NUL character",
            }
            await JSONResponse({"detail": detail}, status_code=422)(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
    migrations: Sequence[Source] = (),
    database: bool = True,
    kafka: bool = True,
    on_start: Sequence[Hook] = (),
    on_stop: Sequence[Hook] = (),
) -> FastAPI:
    service = settings.service_name
    setup_logging(service, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup_tracing(f"ac-{service}")
        res = Resources(settings)
        app.state.resources = res
        try:
            if database:
                if not settings.database_url:
                    raise RuntimeError(f"{service}: no database URL (set DATABASE_URL)")
                await ensure_database(settings.database_url)
                res.pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=10)
                async with res.pool.acquire() as conn:
                    applied = await migrate(conn, LIBRARY, *migrations)
                log.info("%s: %d migration(s) applied", service, len(applied))
            if kafka:
                if not settings.kafka_bootstrap_servers:
                    raise RuntimeError(f"{service}: no Kafka (set KAFKA_BOOTSTRAP_SERVERS)")
                res.producer = make_producer(settings.kafka_bootstrap_servers)
                await res.producer.start()
            metrics.watch(res.extras)
            for hook in on_start:
                await hook(res)
            log.info("%s started", service)
            yield
        finally:
            for hook in reversed(on_stop):
                await hook(res)
            if res.producer is not None:
                await res.producer.stop()
            if res.pool is not None:
                await res.pool.close()
            log.info("%s stopped", service)

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.token_verifier = verifier_from(settings.auth_jwks, settings.auth_jwks_url)
    app.state.metrics = metrics = Metrics(service)

    app.add_middleware(NulGuard)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(CorrelationMiddleware)

    @app.get("/metrics", tags=["health"], summary="Prometheus metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return metrics.response()

    @app.get("/healthz", tags=["health"], summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", tags=["health"], summary="Its database and Kafka answer")
    async def readyz(request: Request) -> JSONResponse:
        res: Resources = request.app.state.resources
        checks: dict[str, str] = {}
        if res.pool is not None:
            try:
                await _database_ready(res.pool)
                checks["database"] = "ok"
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                checks["database"] = f"unavailable ({type(exc).__name__})"
        if res.producer is not None:
            try:
                await _kafka_ready(res.producer)
                checks["kafka"] = "ok"
            except Exception as exc:  # any client failure means "not ready"
                checks["kafka"] = f"unavailable ({type(exc).__name__})"
        tasks: dict[str, asyncio.Task[None]] = res.extras.get("tasks") or {}  # type: ignore[assignment]
        if tasks:
            dead = sorted(name for name, t in tasks.items() if t.done())
            checks["workers"] = f"stopped: {', '.join(dead)}" if dead else "ok"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "service": service, "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.exception_handler(RuleError)
    async def refused(_: Request, exc: RuleError) -> JSONResponse:
        detail = {"reason": exc.reason, "message": exc.message}
        return JSONResponse({"detail": detail}, status_code=exc.status)

    @app.exception_handler(ConnectionError)
    async def peer_away(_: Request, exc: ConnectionError) -> JSONResponse:
        log.warning("a dependency is unreachable: %s", type(exc).__name__)
        detail = {"reason": "unavailable", "message": "a service this one needs is away: try again"}
        return JSONResponse({"detail": detail}, status_code=503)

    for router in routers:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz")
    return app
