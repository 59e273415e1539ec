"""The SQL of applications and their history; nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from ac_matching.store import Db


async def add_application(conn: asyncpg.Connection, **row: Any) -> None:
    """One application: `application_id, subject_id, vacancy_id, organization_id, status,
    reason, missing, state, data_items, sensitive_items, disclosure_id` (and `created_at`)."""
    columns = ", ".join(row)
    marks = ", ".join(f"${i}" for i in range(1, len(row) + 1))
    await conn.execute(
        f"INSERT INTO applications ({columns}) VALUES ({marks})",  # noqa: S608 (column names)
        *row.values(),
    )


async def application(db: Db, application_id: UUID, *, lock: bool = False) -> asyncpg.Record | None:
    lock_clause = " FOR UPDATE OF a" if lock else ""
    return await db.fetchrow(
        f"""SELECT a.*, v.title, d.snapshot_sealed IS NULL AS erased FROM applications a
            JOIN vacancies v USING (vacancy_id)
            LEFT JOIN disclosures d ON d.disclosure_id = a.disclosure_id
            WHERE a.application_id = $1{lock_clause}""",  # noqa: S608
        application_id,
    )


async def shared_application(db: Db, subject_id: str, vacancy_id: UUID) -> UUID | None:
    found: UUID | None = await db.fetchval(
        "SELECT application_id FROM applications"
        " WHERE subject_id = $1 AND vacancy_id = $2 AND status = 'shared'"
        " AND state <> 'withdrawn'",
        subject_id,
        vacancy_id,
    )
    return found


async def of_subject(
    db: Db, subject_id: str, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        """SELECT a.*, v.title FROM applications a JOIN vacancies v USING (vacancy_id)
           WHERE a.subject_id = $1
             AND ($2::timestamptz IS NULL OR (a.created_at, a.application_id) < ($2, $3::uuid))
           ORDER BY a.created_at DESC, a.application_id DESC LIMIT $4""",
        subject_id,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    return rows


async def to_vacancy(
    db: Db, vacancy_id: UUID, state: str | None, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """The applications a vacancy's organisation received (shared ones), newest first."""
    rows: list[asyncpg.Record] = await db.fetch(
        """SELECT a.*, d.snapshot_sealed IS NULL AS erased FROM applications a
           LEFT JOIN disclosures d ON d.disclosure_id = a.disclosure_id
           WHERE a.vacancy_id = $1 AND a.status = 'shared' AND ($2::text IS NULL OR a.state = $2)
             AND ($3::timestamptz IS NULL OR (a.created_at, a.application_id) < ($3, $4::uuid))
           ORDER BY a.created_at DESC, a.application_id DESC LIMIT $5""",
        vacancy_id,
        state,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    return rows


async def open_of_subject(conn: asyncpg.Connection, subject_id: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT * FROM applications WHERE subject_id = $1 AND status = 'shared'
           AND state IN ('submitted', 'reviewing', 'interview', 'offer') FOR UPDATE""",
        subject_id,
    )
    return rows


async def set_state(
    conn: asyncpg.Connection, application_id: UUID, state: str, at: datetime
) -> None:
    await conn.execute(
        "UPDATE applications SET state = $2, updated_at = $3 WHERE application_id = $1",
        application_id,
        state,
        at,
    )


async def add_step(conn: asyncpg.Connection, **row: Any) -> None:
    """`event_id, application_id, at, from_state, to_state, by_role, message_sealed`."""
    await conn.execute(
        """INSERT INTO application_history (event_id, application_id, at, from_state, to_state,
                                            by_role, message_sealed)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        row["event_id"], row["application_id"], row["at"], row["from_state"], row["to_state"],
        row["by_role"], row["message_sealed"],
    )  # fmt: skip


async def history(db: Db, application_ids: Sequence[UUID]) -> dict[UUID, list[asyncpg.Record]]:
    rows = await db.fetch(
        "SELECT * FROM application_history WHERE application_id = ANY($1::uuid[]) ORDER BY at",
        list(application_ids),
    )
    out: dict[UUID, list[asyncpg.Record]] = {}
    for r in rows:
        out.setdefault(r["application_id"], []).append(r)
    return out
