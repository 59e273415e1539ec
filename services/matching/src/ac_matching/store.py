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


async def cvs(db: Db) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        "SELECT subject_id, content_sealed FROM cvs ORDER BY subject_id"
    )
    return rows


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
    """An erasure: details, CV, scores go; applications and provision records stay
    (pseudonymous, kept for accountability), without their snapshots."""
    for sql in (
        "DELETE FROM people WHERE subject_id = $1",
        "DELETE FROM cvs WHERE subject_id = $1",
        "DELETE FROM declared_sensitive WHERE subject_id = $1",
        "DELETE FROM scores WHERE subject_id = $1",
        "UPDATE disclosures SET snapshot_sealed = NULL WHERE subject_id = $1",
    ):
        await conn.execute(sql, subject_id)


# ---------------------------------------------------------------- vacancies and scores


async def add_vacancy(conn: asyncpg.Connection, v: dict[str, Any]) -> None:
    await conn.execute(
        """
        INSERT INTO vacancies (vacancy_id, organization_id, title, description, skills,
                               location_country)
        VALUES ($1, $2, $3, $4, $5, $6)
        """,
        v["vacancy_id"],
        v["organization_id"],
        v["title"],
        v["description"],
        list(v["skills"]),
        v["location_country"],
    )


async def close_vacancy(conn: asyncpg.Connection, vacancy_id: UUID) -> bool:
    closed = await conn.fetchval(
        "UPDATE vacancies SET open = false WHERE vacancy_id = $1 AND open RETURNING true",
        vacancy_id,
    )
    return bool(closed)


async def vacancy(db: Db, vacancy_id: UUID, *, lock: bool = False) -> asyncpg.Record | None:
    if lock:
        return await db.fetchrow(
            "SELECT * FROM vacancies WHERE vacancy_id = $1 FOR UPDATE", vacancy_id
        )
    return await db.fetchrow("SELECT * FROM vacancies WHERE vacancy_id = $1", vacancy_id)


async def open_vacancies(db: Db, limit: int = 1000) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        "SELECT * FROM vacancies WHERE open ORDER BY posted_at DESC LIMIT $1", limit
    )
    return rows


async def changed_scores(
    conn: asyncpg.Connection, scores: list[tuple[str, UUID, float]], method: str
) -> list[tuple[str, UUID, float]]:
    """Records the scores; returns those that are new or changed (to be `MatchScored`)."""
    rows = await conn.fetch(
        """
        INSERT INTO scores (subject_id, vacancy_id, score, method)
        SELECT * , $4::text FROM unnest($1::text[], $2::uuid[], $3::float8[])
        ON CONFLICT (subject_id, vacancy_id) DO UPDATE SET score = EXCLUDED.score,
            method = EXCLUDED.method
            WHERE abs(scores.score - EXCLUDED.score) > 1e-6 OR scores.method <> EXCLUDED.method
        RETURNING subject_id, vacancy_id, score
        """,
        [s for s, _, _ in scores],
        [v for _, v, _ in scores],
        [x for _, _, x in scores],
        method,
    )
    return [(r["subject_id"], r["vacancy_id"], r["score"]) for r in rows]


# ---------------------------------------------------------------- applications and provisions


async def applications_of(db: Db, subject_id: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        """
        SELECT a.*, v.title FROM applications a JOIN vacancies v USING (vacancy_id)
        WHERE a.subject_id = $1 ORDER BY a.created_at
        """,
        subject_id,
    )
    return rows


async def shared_application(db: Db, subject_id: str, vacancy_id: UUID) -> UUID | None:
    found: UUID | None = await db.fetchval(
        "SELECT application_id FROM applications"
        " WHERE subject_id = $1 AND vacancy_id = $2 AND status = 'shared'",
        subject_id,
        vacancy_id,
    )
    return found


async def add_application(
    conn: asyncpg.Connection,
    application_id: UUID,
    subject_id: str,
    vacancy_id: UUID,
    organization_id: str,
    status: str,
    reason: str,
    missing: str,
) -> None:
    await conn.execute(
        """
        INSERT INTO applications (application_id, subject_id, vacancy_id, organization_id,
                                  status, reason, missing)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """,
        application_id,
        subject_id,
        vacancy_id,
        organization_id,
        status,
        reason,
        missing,
    )


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


async def disclosures_of(db: Db, subject_id: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        "SELECT * FROM disclosures WHERE subject_id = $1 ORDER BY shared_at", subject_id
    )
    return rows


async def disclosures_to(db: Db, organization_id: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        "SELECT * FROM disclosures WHERE organization_id = $1 ORDER BY shared_at DESC",
        organization_id,
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
