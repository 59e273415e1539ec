"""Database set-up for library tests: the library's migrations on a fresh database."""

from __future__ import annotations

import asyncpg

from ac_events.migrator import KEYRING, LIBRARY, migrate


async def apply_library_schema(conn: asyncpg.Connection, keyring: bool = True) -> None:
    """The event store, consumer and (optionally) keyring tables, by the shared migrator."""
    await migrate(conn, LIBRARY, *([KEYRING] if keyring else []))
