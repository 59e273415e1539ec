"""One call that gives every service the same skeleton (after eShop's service defaults).

`create_service_app(settings, wiring=...)` returns a FastAPI app whose lifespan
creates the service's database if needed, applies the library's and the
service's migrations, opens an asyncpg pool and a Kafka producer (as the
service needs them), enters the service's `wiring` (which builds its typed
dependencies and lists its workers), runs the workers, and closes everything
in reverse on the way out. Routes reach the dependencies with
`Depends(provide(TheirType))`: no service locator, no casts.

The app also has:
- `GET /healthz` (the process is up) and `GET /readyz` (its database answers
  `SELECT 1`, Kafka a metadata request, its token keys are loaded and every
  worker runs and is ready; 503 naming what is not);
- JSON logs with personal data redacted, a correlation id per request,
  OpenTelemetry spans, Prometheus metrics at `/metrics`;
- `Idempotency-Key` on every write of a service with a database (`idempotency.py`);
- errors that never leak internals: a `Refused` is its reason's 4xx/5xx
  `{"detail": {"reason", "message", ...}}` (`ac_contracts.reasons`), an
  unreachable peer (`ConnectionError`) or database (`DATABASE_AWAY`) a 503, an unexpected exception a 500
  `{"detail": "internal error", "correlation_id": ...}`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from starlette.types import Scope

from ac_contracts.errors import Refused
from ac_events.kafka import make_producer
from ac_events.migrator import LIBRARY, Source, ensure_database, migrate, source
from ac_events.tracing import setup_tracing
from ac_platform.auth import TokenVerifier, verifier_from
from ac_platform.idempotency import Idempotency
from ac_platform.logs import setup_logging
from ac_platform.metrics import Metrics, MetricsMiddleware
from ac_platform.middleware import CorrelationMiddleware, NulGuard
from ac_platform.resources import Resources
from ac_platform.settings import ServiceSettings
from ac_platform.workers import Running, Worker

log = logging.getLogger(__name__)

D = TypeVar("D")
PLATFORM = source("ac_platform")
"""The platform's own tables in every service's database (the kept answers of writes)."""

DATABASE_AWAY: tuple[type[Exception], ...] = (
    ConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,  # a session ended in the middle of a reply
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)
"""What a request may meet while a peer or PostgreSQL is away: answered 503."""


@dataclass
class Wired(Generic[D]):
    """What a service's wiring built: the dependencies its routes get, and its workers."""

    deps: D
    workers: Sequence[Worker] = ()
    token_verifier: TokenVerifier | None = None
    """A verifier of the service's own (identity verifies with its own keys)."""


Wiring = Callable[[Resources], AbstractAsyncContextManager[Wired[Any]]]


@asynccontextmanager
async def no_wiring(res: Resources) -> AsyncIterator[Wired[None]]:
    yield Wired(None)


def provide(kind: type[D]) -> Callable[[Request], Awaitable[D]]:
    """A route dependency giving the app's dependencies of type `kind`.

    A coroutine, though it awaits nothing: FastAPI runs a plain function dependency in
    its thread pool, a hand-off to another thread and back on every request (issue 20)."""

    async def dependency(request: Request) -> D:
        return deps_of(request, kind)

    dependency.__name__ = f"provide_{kind.__name__}"
    return dependency


def deps_of(request: Request, kind: type[D]) -> D:
    """The app's dependencies of type `kind` (what `provide` gives, for code called directly)."""
    found = request.app.state.deps
    if not isinstance(found, kind):
        raise RuntimeError(f"the app holds no {kind.__name__}")
    return found


async def _database_ready(pool: asyncpg.Pool) -> None:
    async with asyncio.timeout(2):
        await pool.fetchval("SELECT 1")


async def _kafka_ready(producer: AIOKafkaProducer) -> None:
    async with asyncio.timeout(3):
        await producer.client.fetch_all_metadata()


@dataclass
class _State:
    resources: Resources
    running: Running = field(default_factory=lambda: Running([]))


async def _open(settings: ServiceSettings, migrations: Sequence[Source], res: Resources,
                database: bool, kafka: bool) -> None:  # fmt: skip
    service = settings.service_name
    if database:
        if not settings.database_url:
            raise RuntimeError(f"{service}: no database URL (set DATABASE_URL)")
        await ensure_database(settings.database_url)
        res.pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=10)
        async with res.pool.acquire() as conn:
            applied = await migrate(conn, LIBRARY, PLATFORM, *migrations)
        log.info("%s: %d migration(s) applied", service, len(applied))
    if kafka:
        res.producer = make_producer(res.kafka_servers)
        await res.producer.start()


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
    migrations: Sequence[Source] = (),
    database: bool = True,
    kafka: bool = True,
    wiring: Wiring = no_wiring,
) -> FastAPI:
    service = settings.service_name
    setup_logging(service, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup_tracing(f"ac-{service}")
        res = Resources(settings)
        state = _State(res)
        app.state.platform = state
        try:
            await _open(settings, migrations, res, database, kafka)
            async with wiring(res) as wired:
                app.state.deps = wired.deps
                if wired.token_verifier is not None:
                    app.state.token_verifier = wired.token_verifier
                if app.state.token_verifier is not None:
                    await app.state.token_verifier.prefetch()
                state.running = Running(wired.workers)
                metrics.watch(wired.workers)
                state.running.start()
                log.info("%s started", service)
                try:
                    yield
                finally:
                    await state.running.stop()
        finally:
            if res.producer is not None:
                await res.producer.stop()
            if res.pool is not None:
                await res.pool.close()
            log.info("%s stopped", service)

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.token_verifier = verifier_from(
        settings.auth_jwks, settings.auth_jwks_url, settings.service_name
    )
    app.state.deps = None
    app.state.metrics = metrics = Metrics(service)

    app.add_middleware(
        Idempotency,
        pool=lambda: resources_of(app).pool if hasattr(app.state, "platform") else None,
        verifier=lambda: app.state.token_verifier,
    )
    app.add_middleware(NulGuard)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(CorrelationMiddleware)
    # One server span per request, named by the route template once routing has found it
    # (`MetricsMiddleware`). Not FastAPIInstrumentor: it matches every route again for the
    # span's name before FastAPI routes, and opens spans for each message sent and received
    # (issue 20: a quarter of a decision's time, with nothing a trace needs).
    app.add_middleware(
        OpenTelemetryMiddleware,
        excluded_urls="healthz,readyz,metrics",
        default_span_details=_span_name,
        exclude_spans=["receive", "send"],
    )

    # The service's routes first: a request is matched against the routes in order.
    for router in routers:
        app.include_router(router)

    @app.get("/metrics", tags=["health"], summary="Prometheus metrics", include_in_schema=False)
    async def prometheus(request: Request) -> Response:
        metrics.readiness(await _checks(request.app))
        return metrics.response()

    @app.get("/healthz", tags=["health"], summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", tags=["health"], summary="It can do its work now")
    async def readyz(request: Request) -> JSONResponse:
        checks = await _checks(request.app)
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "service": service, "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> JSONResponse:
        wait = exc.details.get("retry_after_s")
        headers = {"Retry-After": str(wait)} if isinstance(wait, int) else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    async def away(_: Request, exc: Exception) -> JSONResponse:
        log.warning("a dependency is unreachable: %s", type(exc).__name__)
        return JSONResponse(
            Refused("unavailable", "a service this one needs is away: try again").body(),
            status_code=503,
        )

    # A peer or the database away is worth retrying (503), never an internal error (500):
    # PostgreSQL restarting ends every session (`InterfaceError`: the connection is closed;
    # `CannotConnectNowError`, `AdminShutdownError`: an operator's intervention).
    for unreachable in DATABASE_AWAY:
        app.add_exception_handler(unreachable, away)

    return app


def _span_name(scope: Scope) -> tuple[str, dict[str, str]]:
    """The server span's name until the route is known: the method."""
    return str(scope.get("method") or "HTTP"), {}


def resources_of(app: FastAPI) -> Resources:
    """What a running app's lifespan opened (for tools and tests that look inside)."""
    state: _State = app.state.platform
    return state.resources


async def _database_check(pool: asyncpg.Pool) -> str:
    try:
        await _database_ready(pool)
        return "ok"
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return f"unavailable ({type(exc).__name__})"


async def _kafka_check(producer: AIOKafkaProducer) -> str:
    try:
        await _kafka_ready(producer)
        return "ok"
    except Exception as exc:  # any client failure means "not ready"
        return f"unavailable ({type(exc).__name__})"


async def _checks(app: FastAPI) -> dict[str, str]:
    """What `/readyz` reports: each thing the service needs, `ok` or why not. The checks run
    side by side, each bounded (2 s, 3 s), so that a hung dependency is answered as one in
    time (a probe that times out says nothing of why)."""
    state: _State | None = getattr(app.state, "platform", None)
    if state is None:
        return {"lifespan": "not started"}
    res, pending = state.resources, {}
    if res.pool is not None:
        pending["database"] = _database_check(res.pool)
    if res.producer is not None:
        pending["kafka"] = _kafka_check(res.producer)
    checks = dict(zip(pending, await asyncio.gather(*pending.values()), strict=True))
    verifier: TokenVerifier | None = app.state.token_verifier
    if verifier is not None:
        checks["token_keys"] = "ok" if await verifier.prefetch() else "not loaded yet"
    if state.running.workers:
        problems = state.running.problems()
        checks["workers"] = "; ".join(problems) if problems else "ok"
    return checks
