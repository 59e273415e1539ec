"""Database set-up for library tests: the library's migrations on a fresh database."""

from __future__ import annotations

from importlib.resources import files

import asyncpg


async def apply_library_schema(conn: asyncpg.Connection, keyring: bool = True) -> None:
    """Apply ac_events' numbered SQL files (and the keyring's) in order."""
    dirs = [files("ac_events") / "migrations"]
    if keyring:
        dirs.append(files("ac_events") / "keyring_migrations")
    for d in dirs:
        for sql in sorted(
            (p for p in d.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name
        ):
            await conn.execute(sql.read_text())
