"""The resumes service's SQL, and nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias
from uuid import UUID

import asyncpg

Db: TypeAlias = asyncpg.Pool | asyncpg.Connection


async def resume(db: Db, subject_id: str, *, lock: bool = False) -> asyncpg.Record | None:
    sql = "SELECT resume_id, revision, content_sealed, has_pdf, updated_at FROM resumes"
    sql += " WHERE subject_id = $1" + (" FOR UPDATE" if lock else "")
    return await db.fetchrow(sql, subject_id)


async def save_resume(
    conn: asyncpg.Connection,
    subject_id: str,
    resume_id: UUID,
    revision: int,
    content_sealed: str,
    has_pdf: bool,
) -> None:
    await conn.execute(
        """
        INSERT INTO resumes (subject_id, resume_id, revision, content_sealed, has_pdf)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (subject_id) DO UPDATE SET resume_id = $2, revision = $3,
            content_sealed = $4, has_pdf = $5, updated_at = now()
        """,
        subject_id,
        resume_id,
        revision,
        content_sealed,
        has_pdf,
    )


async def delete_resume(conn: asyncpg.Connection, subject_id: str) -> UUID | None:
    deleted: UUID | None = await conn.fetchval(
        "DELETE FROM resumes WHERE subject_id = $1 RETURNING resume_id", subject_id
    )
    return deleted


async def declared(db: Db, subject_id: str) -> list[str]:
    rows = await db.fetch(
        "SELECT category FROM declared_sensitive WHERE subject_id = $1 ORDER BY category",
        subject_id,
    )
    return [r["category"] for r in rows]


async def declare(conn: asyncpg.Connection, subject_id: str, categories: Iterable[str]) -> None:
    await conn.executemany(
        "INSERT INTO declared_sensitive (subject_id, category) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING",
        [(subject_id, c) for c in categories],
    )


async def forget(conn: asyncpg.Connection, subject_id: str) -> None:
    """An erasure: the CV and the declarations go (the events are shredded by the key)."""
    await conn.execute("DELETE FROM resumes WHERE subject_id = $1", subject_id)
    await conn.execute("DELETE FROM declared_sensitive WHERE subject_id = $1", subject_id)
