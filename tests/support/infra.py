"""Test helpers: real PostgreSQL and Kafka for the suite (architecture.md §6).

- `DATABASE_URL` and `KAFKA_BOOTSTRAP_SERVERS` set: they are used.
- Otherwise, a reachable Docker engine: testcontainers starts both.
- Otherwise: `deploy/local/infra.sh up` starts them natively.

Never skips: when infrastructure cannot be had, the suite fails loudly.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Infra:
    database_url: str
    """A server URL whose role may create databases."""
    kafka_bootstrap_servers: str
    source: str


def with_database(url: str, database: str) -> str:
    """The same server URL, naming another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def _docker_reachable() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


@contextmanager
def infrastructure() -> Iterator[Infra]:
    db = os.environ.get("DATABASE_URL")
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if db and kafka:
        yield Infra(db, kafka, "environment")
        return
    if _docker_reachable():
        from testcontainers.kafka import KafkaContainer
        from testcontainers.postgres import PostgresContainer

        with ExitStack() as stack:
            pg = stack.enter_context(PostgresContainer("postgres:16", driver=None))
            kc = stack.enter_context(KafkaContainer("confluentinc/cp-kafka:7.7.1").with_kraft())
            yield Infra(pg.get_connection_url(), kc.get_bootstrap_server(), "testcontainers")
        return
    script = REPO_ROOT / "deploy" / "local" / "infra.sh"
    subprocess.run([str(script), "up"], check=True)
    env = subprocess.run([str(script), "env"], check=True, capture_output=True, text=True).stdout
    values = dict(
        line.removeprefix("export ").split("=", 1) for line in env.splitlines() if "=" in line
    )
    yield Infra(values["DATABASE_URL"], values["KAFKA_BOOTSTRAP_SERVERS"], "native")


async def create_database(server_url: str, name: str | None = None) -> str:
    """A new, empty database on the server; returns its URL."""
    name = name or f"t_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


async def drop_database(server_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


SESSION = uuid.uuid4().hex[:6]
"""This test session's id: every topic it creates starts with `session_prefix()`."""


def session_prefix() -> str:
    """What every topic name of this test session starts with (deleted at its end)."""
    return f"t{SESSION}"


def unique_prefix() -> str:
    """A topic-name prefix of one test's own, so tests never see each other's events."""
    return f"{session_prefix()}{uuid.uuid4().hex[:8]}."
