"""The skeleton every service stands on, against real PostgreSQL and Kafka."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
from fastapi import APIRouter, FastAPI, Request

from ac_consent.app import create_app as create_consent_app
from ac_consent.settings import ConsentSettings
from ac_contracts.errors import Refused
from ac_platform.service import create_service_app, resources_of
from ac_platform.settings import DEV_MASTER_KEY
from tests.support.infra import Infra, unique_prefix

probe = APIRouter()


@probe.get("/probe/log")
async def log_something() -> dict[str, str]:
    logging.getLogger("probe").info("signed in alice.tanaka@example.jp with Bearer abc.def.ghi")
    return {"ok": "yes"}


@probe.post("/probe/echo")
async def echo(body: dict[str, str]) -> dict[str, str]:
    return body


@probe.get("/probe/boom")
async def boom() -> dict[str, str]:
    raise RuntimeError("secret internal detail for alice.tanaka@example.jp")


@probe.get("/probe/rule")
async def broken_rule() -> dict[str, str]:
    raise Refused("already_applied", "that was done already")


@probe.get("/probe/peer")
async def peer_away() -> dict[str, str]:
    raise ConnectionError("identity at 10.0.0.7:8001 refused alice.tanaka@example.jp")


@probe.get("/probe/database-away")
async def database_away(request: Request) -> dict[str, str]:
    """A request whose database session ends under it (as PostgreSQL restarting ends all)."""
    await resources_of(request.app).db.fetchval("SELECT pg_terminate_backend(pg_backend_pid())")
    return {"ok": "not reached"}


def settings(infra: Infra, database_url: str) -> ConsentSettings:
    """Topics of this test's own (the session deletes them): without a prefix the service
    made `consent.events` and the topics it reads on the shared broker, and left them."""
    return ConsentSettings(
        database_url=database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        topic_prefix=unique_prefix(),
        environment="test",
    )


@pytest.fixture
async def app(infra: Infra, database_url: str) -> AsyncIterator[FastAPI]:
    app = create_service_app(settings(infra, database_url), title="probe", routers=[probe])
    async with app.router.lifespan_context(app):
        yield app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")


async def test_health_and_readiness(app: FastAPI) -> None:
    async with client(app) as c:
        assert (await c.get("/healthz")).json()["status"] == "ok"
        ready = await c.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}


async def test_not_ready_when_the_database_is_gone(app: FastAPI) -> None:
    async with client(app) as c:
        assert 'ac_ready{check="database"} 1.0' in (await c.get("/metrics")).text
    await resources_of(app).db.close()
    async with client(app) as c:
        scraped = (await c.get("/metrics")).text  # what the alerts read: the same checks
        ready = await c.get("/readyz")
    assert 'ac_ready{check="database"} 0.0' in scraped and 'ac_ready{check="kafka"} 1.0' in scraped
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("unavailable")
    assert ready.json()["checks"]["kafka"] == "ok"


async def test_logs_are_json_with_the_correlation_id_and_no_personal_data(
    app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    async with client(app) as c:
        r = await c.get("/probe/log", headers={"X-Correlation-ID": "req-123"})
    assert r.headers["X-Correlation-ID"] == "req-123"
    lines = [
        orjson.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    mine = [line for line in lines if line["logger"] == "probe"]
    assert mine and mine[0]["correlation_id"] == "req-123"
    assert mine[0]["service"] == "consent"
    assert "alice" not in mine[0]["message"] and "<email>" in mine[0]["message"]
    assert "abc.def" not in mine[0]["message"]


async def test_an_unexpected_error_is_a_500_without_internals(
    app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    async with client(app) as c:
        r = await c.get("/probe/boom")
    assert r.status_code == 500
    body = r.json()
    assert body["detail"] == "internal error" and body["correlation_id"]
    assert "secret" not in r.text and "Traceback" not in r.text
    assert "alice" not in capsys.readouterr().out


async def test_a_broken_rule_is_its_4xx_and_an_unreachable_peer_a_503(app: FastAPI) -> None:
    async with client(app) as c:
        rule, peer = await c.get("/probe/rule"), await c.get("/probe/peer")
    assert rule.status_code == 409
    assert rule.json() == {
        "detail": {"reason": "already_applied", "message": "that was done already"}
    }
    assert peer.status_code == 503 and peer.json()["detail"]["reason"] == "unavailable"
    assert "10.0.0.7" not in peer.text and "alice" not in peer.text


async def test_a_request_whose_database_goes_away_is_a_503(app: FastAPI) -> None:
    """[L] Retry later, not an internal error: the gateway answers 503 for it, not 502."""
    async with client(app) as c:
        away = await c.get("/probe/database-away")
        again = await c.get("/readyz")  # the pool replaces the connection by itself
    assert away.status_code == 503 and away.json()["detail"]["reason"] == "unavailable"
    assert again.status_code == 200


async def test_a_service_app_creates_its_database_and_migrates(infra: Infra) -> None:
    from tests.support.infra import drop_database, with_database

    url = with_database(infra.database_url, "ac_consent_probe")
    app = create_consent_app(settings(infra, url))
    try:
        async with app.router.lifespan_context(app):
            rows = await resources_of(app).db.fetch("SELECT tablename FROM pg_tables")
            tables = {r["tablename"] for r in rows}
        assert {
            "events",
            "streams",
            "outbox_relay",
            "consumer_offsets",
            "schema_migrations",
        } <= tables
    finally:
        await drop_database(infra.database_url, url)


def test_settings_derive_the_services_own_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/postgres")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.delenv("CONSENT_DATABASE_URL", raising=False)
    s = ConsentSettings()
    assert s.database_url == "postgresql://u:p@db:5432/ac_consent"
    assert s.kafka_bootstrap_servers == "kafka:9092"
    monkeypatch.setenv("CONSENT_DATABASE_URL", "postgresql://u:p@other:5432/consent")
    assert ConsentSettings().database_url == "postgresql://u:p@other:5432/consent"


def test_production_refuses_placeholder_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from ac_identity.settings import IdentitySettings
    from ac_notifications.settings import NotificationsSettings

    monkeypatch.setenv("IDENTITY_ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="placeholder master key"):
        IdentitySettings(master_key=DEV_MASTER_KEY)
    with pytest.raises(ValueError, match="32 bytes"):
        IdentitySettings(master_key="c2hvcnQ=")
    monkeypatch.setenv("CONSENT_ENVIRONMENT", "production")
    assert ConsentSettings().environment == "production"  # consent holds no keyring
    monkeypatch.setenv("NOTIFICATIONS_ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="placeholder link key"):
        NotificationsSettings()


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_a_nul_character_is_a_422_not_a_database_error(app: FastAPI) -> None:
    async with client(app) as c:
        ok = await c.post("/probe/echo", json={"text": "fine"})
        bad = await c.post("/probe/echo", json={"text": "a\u0000b"})
        chunked = await c.post(
            "/probe/echo",
            content=chunks(b'{"text": "a\\u00', b'00b"}'),
            headers={"content-type": "application/json"},
        )
    assert ok.json() == {"text": "fine"}
    assert bad.status_code == 422, bad.text
    assert chunked.status_code == 422, chunked.text
    assert bad.json()["detail"]["reason"] == "nul_character"
