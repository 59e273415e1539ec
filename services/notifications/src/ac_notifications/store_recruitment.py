"""The SQL of what a message about an application names ([P] issue 15), nothing else."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ac_notifications.store import Conn


async def save_title(conn: asyncpg.Connection, vacancy_id: UUID, title: str) -> None:
    await conn.execute(
        "INSERT INTO vacancy_titles VALUES ($1, $2) ON CONFLICT (vacancy_id) DO UPDATE SET title = $2",
        vacancy_id,
        title,
    )


async def title(conn: Conn, vacancy_id: UUID) -> str:
    found: str | None = await conn.fetchval(
        "SELECT title FROM vacancy_titles WHERE vacancy_id = $1", vacancy_id
    )
    return found or ""
