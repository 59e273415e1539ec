"""The SQL of whom to tell of an application's changes ([P] issue 15), nothing else."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ac_notifications.store import Conn


async def save_client(conn: asyncpg.Connection, subject_id: str, organization_id: str) -> None:
    await conn.execute(
        "INSERT INTO client_recipients VALUES ($1, $2)"
        " ON CONFLICT (subject_id) DO UPDATE SET organization_id = $2",
        subject_id,
        organization_id,
    )


async def forget_client(conn: asyncpg.Connection, subject_id: str) -> None:
    await conn.execute("DELETE FROM client_recipients WHERE subject_id = $1", subject_id)


async def clients_of(conn: Conn, organization_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT subject_id FROM client_recipients WHERE organization_id = $1 ORDER BY subject_id",
        organization_id,
    )
    return [r["subject_id"] for r in rows]


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
