"""Every SQL statement of the desk's incidents (asyncpg), nothing else [B] #17."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from ac_contracts.incidents import Affected
from ac_desk.incident import Incident
from ac_desk.store import Conn


async def save(conn: asyncpg.Connection, i: Incident) -> None:
    nxt = i.next_due()
    await conn.execute(
        """INSERT INTO incidents (incident_id, title, status, discovered_at, reportable, people,
               next_due, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (incident_id) DO UPDATE SET status = EXCLUDED.status,
               reportable = EXCLUDED.reportable, people = EXCLUDED.people,
               next_due = EXCLUDED.next_due, version = EXCLUDED.version
           WHERE incidents.version < EXCLUDED.version""",
        i.incident_id,
        i.opened.title,
        i.status,
        i.opened.discovered_at,
        i.reportable,
        None if i.scoped is None else i.scoped.people,
        None if nxt is None else nxt[1],
        i.version,
    )


async def set_people(conn: asyncpg.Connection, incident_id: UUID, people: list[Affected]) -> None:
    """Who the (latest) scope found: the list replaced as a whole."""
    await conn.execute("DELETE FROM incident_people WHERE incident_id = $1", incident_id)
    await conn.copy_records_to_table(
        "incident_people",
        records=[(incident_id, p.subject_id, [c.value for c in p.data_categories], p.special_care)
                 for p in people],
        columns=["incident_id", "subject_id", "categories", "special_care"],
    )  # fmt: skip


async def people(
    conn: Conn, incident_id: UUID, after: str | None, limit: int
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT subject_id, categories, special_care FROM incident_people
           WHERE incident_id = $1 AND ($2::text IS NULL OR subject_id > $2)
           ORDER BY subject_id LIMIT $3""",
        incident_id,
        after,
        limit,
    )
    return rows


async def listed(conn: Conn, after: UUID | None, limit: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT * FROM incidents WHERE ($1::uuid IS NULL OR incident_id < $1)
           ORDER BY incident_id DESC LIMIT $2""",
        after,
        limit,
    )
    return rows


async def needing_warning(conn: Conn, horizon: datetime) -> list[UUID]:
    """Incidents with a report due before `horizon` (the longest warning time from now)."""
    rows = await conn.fetch(
        "SELECT incident_id FROM incidents WHERE next_due IS NOT NULL AND next_due <= $1",
        horizon,
    )
    return [r["incident_id"] for r in rows]
