"""Every SQL statement of the desk (asyncpg), nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias
from uuid import UUID

import asyncpg

from ac_desk.case import Case

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool


async def save(conn: asyncpg.Connection, case: Case) -> None:
    """The request's row, as its stream now says."""
    await conn.execute(
        """INSERT INTO requests (request_id, subject_id, kind, channel, account, status, filed_at,
               started_at, due_at, assignee, answered_at, outcome, closed_at, warned_at,
               escalated_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
           ON CONFLICT (request_id) DO UPDATE SET status = EXCLUDED.status,
               started_at = EXCLUDED.started_at, due_at = EXCLUDED.due_at,
               assignee = EXCLUDED.assignee, answered_at = EXCLUDED.answered_at,
               outcome = EXCLUDED.outcome, closed_at = EXCLUDED.closed_at,
               warned_at = EXCLUDED.warned_at, escalated_at = EXCLUDED.escalated_at,
               version = EXCLUDED.version
           WHERE requests.version < EXCLUDED.version""",
        case.request_id,
        case.subject_id,
        case.kind.value,
        case.channel.value,
        case.account,
        case.status.value,
        case.filed_at,
        case.started_at,
        case.due_at,
        case.assignee,
        case.answered_at,
        case.answers[0].outcome.value if case.answers else None,
        case.closed_at,
        case.warned_at,
        case.escalated_at,
        case.version,
    )


async def of_subject(
    conn: Conn, subject_id: str, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """A person's requests, newest first, from after the key `after` (a page's last)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT * FROM requests WHERE subject_id = $1
             AND ($2::timestamptz IS NULL OR (filed_at, request_id) < ($2, $3))
           ORDER BY filed_at DESC, request_id DESC LIMIT $4""",
        subject_id,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    return rows


async def open_of_subject(conn: Conn, subject_id: str) -> list[UUID]:
    rows = await conn.fetch(
        "SELECT request_id FROM requests WHERE subject_id = $1 AND status <> 'closed'",
        subject_id,
    )
    return [r["request_id"] for r in rows]


async def queue(
    conn: Conn,
    now: datetime,
    *,
    kind: str | None,
    status: str | None,
    overdue: bool | None,
    assignee: str | None,
    after: tuple[datetime, datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """The staff queue, soonest due first (requests awaiting the person's verification are
    the person's to move, and only listed when asked for by status); from after the key
    `after` (a page's last: due date, or the far future for none, filing time, id)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT * FROM (SELECT *, coalesce(due_at, 'infinity'::timestamptz) AS due_key
                         FROM requests) AS r
           WHERE ($1::text IS NULL OR kind = $1)
             AND (CASE WHEN $2::text IS NULL THEN status IN ('open', 'answered')
                       ELSE status = $2 END)
             AND ($3::boolean IS NULL
                  OR $3 = (status = 'open' AND due_at IS NOT NULL AND due_at < $5))
             AND ($4::text IS NULL OR assignee = $4)
             AND ($7::timestamptz IS NULL OR (due_key, filed_at, request_id) > ($7, $8, $9))
           ORDER BY due_key, filed_at, request_id LIMIT $6""",
        kind,
        status,
        overdue,
        assignee,
        now,
        limit,
        *(after or (None, None, None)),
    )
    return rows


async def needing_attention(conn: Conn, now: datetime, warn_until: datetime) -> list[UUID]:
    """Open requests due to be warned of (due before `warn_until`) or escalated (past due)."""
    rows = await conn.fetch(
        """SELECT request_id FROM requests
           WHERE status = 'open' AND due_at IS NOT NULL
             AND ((due_at <= $1 AND escalated_at IS NULL)
                  OR (due_at <= $2 AND due_at > $1 AND warned_at IS NULL))
           ORDER BY due_at""",
        now,
        warn_until,
    )
    return [r["request_id"] for r in rows]


async def guests_closed_before(
    conn: asyncpg.Connection, cutoff: datetime, limit: int
) -> list[asyncpg.Record]:
    """Requests of people without an account, closed before `cutoff` (locked)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT request_id, subject_id FROM requests
           WHERE NOT account AND closed_at < $1
           ORDER BY closed_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
        cutoff,
        limit,
    )
    return rows


async def delete(conn: asyncpg.Connection, request_id: UUID) -> None:
    await conn.execute("DELETE FROM requests WHERE request_id = $1", request_id)


async def for_report(conn: Conn, now: datetime) -> list[asyncpg.Record]:
    """Each request's month of filing, kind, days to answer (from when its deadline started)
    and whether it was overdue (answered late, or unanswered past due)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT to_char(filed_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, kind,
                  extract(epoch FROM answered_at - started_at) / 86400.0 AS days,
                  (due_at IS NOT NULL AND (answered_at > due_at OR (answered_at IS NULL
                      AND closed_at IS NULL AND due_at < $1))) AS overdue
           FROM requests ORDER BY filed_at""",
        now,
    )
    return rows
