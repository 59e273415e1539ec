"""Numbered SQL migrations, applied at start-up: one small module for every service.

Sources are applied in order (the library's event store first, then the
service's own), each `NNNN_name.sql` once, in its own transaction, recorded in
`schema_migrations` with its checksum, under an advisory lock so replicas
starting together do not race. An applied file whose text changed is an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from urllib.parse import urlsplit, urlunsplit

import asyncpg

log = logging.getLogger(__name__)

MIGRATION_LOCK = 0x0AC0_0002
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Source:
    component: str
    folder: Traversable


def source(package: str, folder: str = "migrations") -> Source:
    return Source(
        package if folder == "migrations" else f"{package}.{folder}", files(package) / folder
    )


LIBRARY = source("ac_events")
"""The event store, outbox and consumer tables every service has."""

KEYRING = source("ac_events", "keyring_migrations")
"""The keyring table (identity only)."""


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(src: Source) -> list[Migration]:
    """The numbered SQL files of a source, in order; other names are an error."""
    if not src.folder.is_dir():
        return []
    found = []
    for entry in src.folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _NAME.match(entry.name)
        if match is None:
            raise MigrationError(f"{src.component}: {entry.name} is not named NNNN_name.sql")
        found.append(Migration(src.component, int(match[1]), entry.name, entry.read_text()))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{src.component}: two migrations share a number")
    return found


_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    component  text        NOT NULL,
    version    integer     NOT NULL,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (component, version)
)
"""


async def migrate(conn: asyncpg.Connection, *sources: Source) -> list[str]:
    """Apply what is new from `sources`; returns the names applied."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute(_TABLE)
        done = {
            (r["component"], r["version"]): r["checksum"]
            for r in await conn.fetch("SELECT component, version, checksum FROM schema_migrations")
        }
        for src in sources:
            for m in discover(src):
                seen = done.get((m.component, m.version))
                if seen is not None:
                    if seen != m.checksum:
                        raise MigrationError(
                            f"{m.component}/{m.name} changed after it was applied: "
                            "add a new migration instead"
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(m.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (component, version, name, checksum) "
                        "VALUES ($1, $2, $3, $4)",
                        m.component,
                        m.version,
                        m.name,
                        m.checksum,
                    )
                log.info("applied migration %s/%s", m.component, m.name)
                applied_now.append(f"{m.component}/{m.name}")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    return applied_now


async def ensure_database(url: str) -> None:
    """Create the URL's database when it does not exist (from the server's `postgres` db)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise MigrationError(f"unexpected database name {name!r}")
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # a replica was first
                await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
