"""The matching service's SQL, and nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
import orjson

Db: TypeAlias = asyncpg.Pool | asyncpg.Connection

# ---------------------------------------------------------------- what other services told us


async def save_organisation(conn: asyncpg.Connection, org: dict[str, str]) -> None:
    await conn.execute(
        """
        INSERT INTO organisations (organization_id, legal_name, address, representative, country)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (organization_id) DO UPDATE SET legal_name = $2, address = $3,
            representative = $4, country = $5
        """,
        org["organization_id"],
        org["legal_name"],
        org["address"],
        org["representative"],
        org["country"],
    )


async def organisation(db: Db, organization_id: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        "SELECT * FROM organisations WHERE organization_id = $1", organization_id
    )


async def save_person(conn: asyncpg.Connection, subject_id: str, details_sealed: str) -> None:
    await conn.execute(
        "INSERT INTO people (subject_id, details_sealed) VALUES ($1, $2)"
        " ON CONFLICT (subject_id) DO UPDATE SET details_sealed = $2",
        subject_id,
        details_sealed,
    )


async def person(db: Db, subject_id: str) -> str | None:
    sealed: str | None = await db.fetchval(
        "SELECT details_sealed FROM people WHERE subject_id = $1", subject_id
    )
    return sealed


async def save_cv(
    conn: asyncpg.Connection, subject_id: str, resume_id: UUID, revision: int, sealed: str
) -> None:
    await conn.execute(
        """
        INSERT INTO cvs (subject_id, resume_id, revision, content_sealed) VALUES ($1, $2, $3, $4)
        ON CONFLICT (subject_id) DO UPDATE SET resume_id = $2, revision = $3, content_sealed = $4
            WHERE cvs.revision <= $3 OR cvs.resume_id <> $2
        """,
        subject_id,
        resume_id,
        revision,
        sealed,
    )


async def delete_cv(conn: asyncpg.Connection, subject_id: str, resume_id: UUID) -> None:
    await conn.execute(
        "DELETE FROM cvs WHERE subject_id = $1 AND resume_id = $2", subject_id, resume_id
    )
    await conn.execute("DELETE FROM scores WHERE subject_id = $1", subject_id)


async def cv(db: Db, subject_id: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        "SELECT resume_id, revision, content_sealed FROM cvs WHERE subject_id = $1", subject_id
    )


async def save_preferences(conn: asyncpg.Connection, subject_id: str, sealed: str) -> None:
    await conn.execute(
        "INSERT INTO preferences (subject_id, prefs_sealed) VALUES ($1, $2)"
        " ON CONFLICT (subject_id) DO UPDATE SET prefs_sealed = $2",
        subject_id,
        sealed,
    )


async def preferences(db: Db, subject_id: str) -> str | None:
    sealed: str | None = await db.fetchval(
        "SELECT prefs_sealed FROM preferences WHERE subject_id = $1", subject_id
    )
    return sealed


async def assessment_consent(conn: asyncpg.Connection, consent_id: UUID, subject_id: str,
                             active: bool) -> None:  # fmt: skip
    """consent.events' `vacancy_assessment` consents: a hint of who may be ranked for
    clients (the consent service confirms each before anyone is shown)."""
    if active:
        await conn.execute(
            "INSERT INTO assessment_consents VALUES ($1, $2) ON CONFLICT DO NOTHING",
            consent_id,
            subject_id,
        )
    else:
        await conn.execute("DELETE FROM assessment_consents WHERE consent_id = $1", consent_id)


async def declare(conn: asyncpg.Connection, subject_id: str, categories: Iterable[str]) -> None:
    await conn.executemany(
        "INSERT INTO declared_sensitive (subject_id, category) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING",
        [(subject_id, c) for c in categories],
    )


async def declared(db: Db, subject_id: str) -> list[str]:
    rows = await db.fetch(
        "SELECT category FROM declared_sensitive WHERE subject_id = $1 ORDER BY category",
        subject_id,
    )
    return [r["category"] for r in rows]


async def forget(conn: asyncpg.Connection, subject_id: str) -> None:
    """An erasure: details, CV, preferences, scores and the ranking index's row go;
    applications and provision records stay (pseudonymous, kept for accountability), without
    their snapshots and messages."""
    for sql in (
        "DELETE FROM people WHERE subject_id = $1",
        "DELETE FROM cvs WHERE subject_id = $1",
        "DELETE FROM declared_sensitive WHERE subject_id = $1",
        "DELETE FROM scores WHERE subject_id = $1",
        "DELETE FROM preferences WHERE subject_id = $1",
        "DELETE FROM assessment_consents WHERE subject_id = $1",
        "UPDATE disclosures SET snapshot_sealed = NULL WHERE subject_id = $1",
        """UPDATE application_history h SET message_sealed = NULL FROM applications a
           WHERE a.application_id = h.application_id AND a.subject_id = $1""",
        """UPDATE ranking_docs SET doc_sealed = NULL, assessable = false,
               txid = pg_current_xact_id(), version = nextval('ranking_version')
           WHERE subject_id = $1""",
    ):
        await conn.execute(sql, subject_id)


# ---------------------------------------------------------------- scores


async def save_scores(db: Db, scores: list[tuple[str, UUID, float]], method: str) -> None:
    """Stores the scores shown; those new or changed wait to be recorded as `MatchScored`."""
    await db.execute(
        """
        INSERT INTO scores (subject_id, vacancy_id, score, method, recorded)
        SELECT *, $4::text, false FROM unnest($1::text[], $2::uuid[], $3::float8[])
        ON CONFLICT (subject_id, vacancy_id) DO UPDATE SET score = EXCLUDED.score,
            method = EXCLUDED.method, recorded = false
            WHERE abs(scores.score - EXCLUDED.score) > 1e-6 OR scores.method <> EXCLUDED.method
        """,
        [s for s, _, _ in scores],
        [v for _, v, _ in scores],
        [x for _, _, x in scores],
        method,
    )


async def unrecorded_scores(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Scores shown and not yet recorded, locked for this transaction (another replica's
    recorder skips them)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT subject_id, vacancy_id, score, method FROM scores WHERE NOT recorded
           ORDER BY subject_id LIMIT $1 FOR UPDATE SKIP LOCKED""",
        limit,
    )
    return rows


async def mark_recorded(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> None:
    await conn.execute(
        """UPDATE scores SET recorded = true FROM unnest($1::text[], $2::uuid[]) AS r(s, v)
           WHERE scores.subject_id = r.s AND scores.vacancy_id = r.v""",
        [r["subject_id"] for r in rows],
        [r["vacancy_id"] for r in rows],
    )


# ---------------------------------------------------------------- applications and provisions


async def add_disclosure(
    conn: asyncpg.Connection,
    disclosure_id: UUID,
    event_id: UUID,
    subject_id: str,
    application_id: UUID | None,
    organization_id: str,
    shared_at: datetime,
    record: dict[str, Any],
    snapshot_sealed: str | None,
) -> None:
    await conn.execute(
        """
        INSERT INTO disclosures (disclosure_id, event_id, subject_id, application_id,
                                 organization_id, shared_at, record, snapshot_sealed)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """,
        disclosure_id,
        event_id,
        subject_id,
        application_id,
        organization_id,
        shared_at,
        orjson.dumps(record).decode(),
        snapshot_sealed,
    )


async def disclosures(
    db: Db, column: str, value: str, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """A person's (`subject_id`) or a recipient's (`organization_id`) provision records,
    newest first, `limit + 1` of them after the keyset `after`."""
    assert column in ("subject_id", "organization_id")
    rows: list[asyncpg.Record] = await db.fetch(
        f"""SELECT * FROM disclosures WHERE {column} = $1
            AND ($2::timestamptz IS NULL OR (shared_at, disclosure_id) < ($2, $3::uuid))
            ORDER BY shared_at DESC, disclosure_id DESC LIMIT $4""",  # noqa: S608 (a column name)
        value,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    return rows


async def disclosures_of(db: Db, subject_id: str) -> list[asyncpg.Record]:
    """Every provision record of a person, oldest first (whom to tell of a change)."""
    rows: list[asyncpg.Record] = await db.fetch(
        "SELECT * FROM disclosures WHERE subject_id = $1 ORDER BY shared_at", subject_id
    )
    return rows


async def disclosure_to(db: Db, organization_id: str, disclosure_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        "SELECT * FROM disclosures WHERE organization_id = $1 AND disclosure_id = $2",
        organization_id,
        disclosure_id,
    )


async def lock_subject(conn: asyncpg.Connection, subject_id: str) -> None:
    """Serialises one person's provisions (until the transaction ends)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", subject_id)


# ---------------------------------------------------------------- notices to recipients [D] #16


async def add_notice(
    conn: asyncpg.Connection,
    notice_id: UUID,
    subject_id: str,
    organization_id: str,
    change: str,
    items: list[str],
    disclosure_ids: list[UUID],
) -> None:
    await conn.execute(
        """INSERT INTO recipient_notices (notice_id, subject_id, organization_id, change, items,
               disclosure_ids) VALUES ($1, $2, $3, $4, $5, $6)""",
        notice_id,
        subject_id,
        organization_id,
        change,
        items,
        disclosure_ids,
    )


async def pending_notices(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT * FROM recipient_notices WHERE told_at IS NULL
           ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED""",
        limit,
    )
    return rows


async def notice_told(conn: asyncpg.Connection, notice_id: UUID, at: datetime) -> None:
    await conn.execute(
        "UPDATE recipient_notices SET told_at = $2 WHERE notice_id = $1", notice_id, at
    )


async def remove_disclosures_before(conn: asyncpg.Connection, cutoff: datetime) -> int:
    """The provision records past their period (the DataShared events stay in the log)."""
    done = await conn.execute("DELETE FROM disclosures WHERE shared_at < $1", cutoff)
    return int(done.split()[-1])
