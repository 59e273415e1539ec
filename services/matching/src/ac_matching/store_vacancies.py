"""The SQL of vacancies, and of the organisations' hourly bounds; nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from ac_matching.store import Db

CONTENT = ("title", "description", "skills", "location_country", "kind", "work_mode",
           "location_area", "internship", "deadline", "places", "form")  # fmt: skip
"""The columns a vacancy's organisation writes (posted, then revised)."""
JSON = frozenset({"internship", "form"})
TOUCH = "txid = pg_current_xact_id(), version = nextval('ranking_version')"
"""Every write of a vacancy tells the ranking index's replicas (`live.py`)."""


def _values(content: dict[str, Any]) -> list[Any]:
    out = []
    for column in CONTENT:
        value = content[column]
        if column in JSON:
            value = orjson.dumps(value).decode() if value is not None else None
        elif column == "skills":
            value = list(value)
        out.append(value)
    return out


async def add_vacancy(conn: asyncpg.Connection, v: dict[str, Any], posted_at: datetime) -> None:
    """`v`: a `VacancyPosted` as JSON-ready Python (`model_dump()`)."""
    columns = ", ".join(("vacancy_id", "organization_id", "posted_at", *CONTENT))
    marks = ", ".join(f"${i}" for i in range(1, len(CONTENT) + 4))
    await conn.execute(
        f"INSERT INTO vacancies ({columns}) VALUES ({marks})",  # noqa: S608 (column names)
        v["vacancy_id"], v["organization_id"], posted_at, *_values(v),
    )  # fmt: skip


async def revise_vacancy(
    conn: asyncpg.Connection, vacancy_id: UUID, content: dict[str, Any], revision: int
) -> None:
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(CONTENT, start=3))
    await conn.execute(
        f"UPDATE vacancies SET revision = $2, {sets}, {TOUCH} WHERE vacancy_id = $1",  # noqa: S608
        vacancy_id, revision, *_values(content),
    )  # fmt: skip


async def close_vacancy(conn: asyncpg.Connection, vacancy_id: UUID, reason: str) -> bool:
    closed = await conn.fetchval(
        f"""UPDATE vacancies SET open = false, closed_reason = $2, {TOUCH}
            WHERE vacancy_id = $1 AND open RETURNING true""",  # noqa: S608
        vacancy_id,
        reason,
    )
    return bool(closed)


async def vacancy(db: Db, vacancy_id: UUID, *, lock: bool = False) -> asyncpg.Record | None:
    lock_clause = " FOR UPDATE" if lock else ""
    return await db.fetchrow(
        f"SELECT * FROM vacancies WHERE vacancy_id = $1{lock_clause}",  # noqa: S608
        vacancy_id,
    )


async def vacancies(db: Db, ids: Sequence[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await db.fetch("SELECT * FROM vacancies WHERE vacancy_id = ANY($1::uuid[])", list(ids))
    return {r["vacancy_id"]: r for r in rows}


async def of_organisation(
    db: Db, organization_id: str, status: str, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """An organisation's vacancies (open, closed or all), newest first, `limit + 1`."""
    rows: list[asyncpg.Record] = await db.fetch(
        """SELECT * FROM vacancies WHERE organization_id = $1
             AND ($2 = 'all' OR open = ($2 = 'open'))
             AND ($3::timestamptz IS NULL OR (posted_at, vacancy_id) < ($3, $4::uuid))
           ORDER BY posted_at DESC, vacancy_id DESC LIMIT $5""",
        organization_id,
        status,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    return rows


async def due(db: Db, now: datetime, limit: int = 100) -> list[UUID]:
    """Open vacancies whose deadline has come."""
    rows = await db.fetch(
        "SELECT vacancy_id FROM vacancies WHERE open AND deadline <= $1 ORDER BY deadline LIMIT $2",
        now,
        limit,
    )
    return [r["vacancy_id"] for r in rows]


async def use_quota(conn: Db, organization_id: str, what: str, hour: datetime) -> int:
    """Counts one use of an organisation's hourly bound; returns the uses of that hour."""
    used: int = await conn.fetchval(
        """INSERT INTO quota_use (organization_id, what, hour, used) VALUES ($1, $2, $3, 1)
           ON CONFLICT (organization_id, what, hour) DO UPDATE SET used = quota_use.used + 1
           RETURNING used""",
        organization_id,
        what,
        hour,
    )
    return used
