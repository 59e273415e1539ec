"""The shared migration runner against a real database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from ac_events.migrator import LIBRARY, MigrationError, Source, migrate


def folder(tmp_path: Path, files: dict[str, str]) -> Source:
    tmp_path.mkdir(exist_ok=True)
    for name, sql in files.items():
        (tmp_path / name).write_text(sql)
    return Source("probe", tmp_path)


async def test_apply_twice_is_a_no_op_and_order_is_kept(database_url: str, tmp_path: Path) -> None:
    src = folder(
        tmp_path,
        {
            "0002_add.sql": "ALTER TABLE probe ADD COLUMN b int;",
            "0001_make.sql": "CREATE TABLE probe (a int);",
        },
    )
    conn = await asyncpg.connect(database_url)
    try:
        first = await migrate(conn, LIBRARY, src)
        assert first[-2:] == ["probe/0001_make.sql", "probe/0002_add.sql"]
        assert "ac_events/0001_event_store.sql" in first
        assert await migrate(conn, LIBRARY, src) == []
    finally:
        await conn.close()


async def test_a_changed_applied_file_is_an_error(database_url: str, tmp_path: Path) -> None:
    src = folder(tmp_path, {"0001_make.sql": "CREATE TABLE probe (a int);"})
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(conn, src)
        (tmp_path / "0001_make.sql").write_text("CREATE TABLE probe (a bigint);")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn, src)
    finally:
        await conn.close()


async def test_a_badly_named_file_is_an_error(database_url: str, tmp_path: Path) -> None:
    src = folder(tmp_path, {"make.sql": "SELECT 1;"})
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(MigrationError, match=r"NNNN_name\.sql"):
            await migrate(conn, src)
    finally:
        await conn.close()


async def test_two_replicas_migrating_at_once_apply_each_file_once(database_url: str) -> None:
    conns = [await asyncpg.connect(database_url) for _ in range(2)]
    try:
        results = await asyncio.gather(*(migrate(c, LIBRARY) for c in conns))
        assert sorted(len(r) for r in results)[0] == 0  # one of them found nothing left to do
        count = await conns[0].fetchval("SELECT count(*) FROM schema_migrations")
        assert count == sum(len(r) for r in results)
    finally:
        for c in conns:
            await c.close()
