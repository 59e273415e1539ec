"""Every SQL statement of the consent service's view (asyncpg), nothing else."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from ac_events.catalogue import ConsentGranted, PurposeChange


async def insert_consent(
    conn: asyncpg.Connection, subject_id: str, event_id: UUID, at: datetime, e: ConsentGranted
) -> None:
    await conn.execute(
        """
        INSERT INTO consents (consent_id, subject_id, purpose, recipient, region, data_categories,
            sensitive_categories, policy_version, country_notice, granted_event_id, granted_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (consent_id) DO NOTHING
        """,
        e.consent_id,
        subject_id,
        e.purpose.value,
        e.recipient,
        e.region,
        [c.value for c in e.data_categories],
        [c.value for c in e.sensitive_categories],
        e.policy_version,
        e.country_notice_sha256,
        event_id,
        at,
    )


async def mark_withdrawn(
    conn: asyncpg.Connection, consent_id: UUID, event_id: UUID, at: datetime
) -> None:
    await conn.execute(
        """UPDATE consents SET withdrawn_event_id = $2, withdrawn_at = $3
           WHERE consent_id = $1 AND withdrawn_event_id IS NULL""",
        consent_id,
        event_id,
        at,
    )


async def add_policy(
    conn: asyncpg.Connection,
    version: str,
    effective_at: datetime,
    changes: tuple[PurposeChange, ...],
) -> None:
    rank = await conn.fetchval(
        """INSERT INTO policy_versions (policy_version, rank, effective_at)
           SELECT $1, coalesce(max(rank) + 1, 0), $2 FROM policy_versions
           ON CONFLICT (policy_version) DO NOTHING RETURNING rank""",
        version,
        effective_at,
    )
    if rank is None:
        return  # already projected
    significant = [c.purpose.value for c in changes if c.significant]
    await conn.executemany(
        """INSERT INTO significant_changes (purpose, rank) VALUES ($1, $2)
           ON CONFLICT (purpose) DO UPDATE SET rank = greatest(significant_changes.rank, EXCLUDED.rank)""",
        [(p, rank) for p in significant],
    )


async def add_transfer(
    conn: asyncpg.Connection,
    transfer_id: UUID,
    acquirer: str,
    purposes: list[str],
    deadline: datetime,
) -> None:
    await conn.execute(
        """INSERT INTO transfers (transfer_id, acquirer, purposes, opt_out_deadline)
           VALUES ($1, $2, $3, $4) ON CONFLICT (transfer_id) DO NOTHING""",
        transfer_id,
        acquirer,
        purposes,
        deadline,
    )


async def add_objection(conn: asyncpg.Connection, subject_id: str, transfer_id: UUID) -> None:
    await conn.execute(
        "INSERT INTO transfer_objections VALUES ($1, $2) ON CONFLICT DO NOTHING",
        subject_id,
        transfer_id,
    )


async def mark_erased(conn: asyncpg.Connection, subject_id: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO erased_subjects VALUES ($1, $2) ON CONFLICT DO NOTHING", subject_id, at
    )


async def person_rows(
    conn: asyncpg.Connection, subject_id: str
) -> tuple[list[asyncpg.Record], list[UUID], bool]:
    """The subject's consents (active and withdrawn), objections, and erasure."""
    consents = await conn.fetch("SELECT * FROM consents WHERE subject_id = $1", subject_id)
    objections = [
        r["transfer_id"]
        for r in await conn.fetch(
            "SELECT transfer_id FROM transfer_objections WHERE subject_id = $1", subject_id
        )
    ]
    erased = bool(
        await conn.fetchval("SELECT 1 FROM erased_subjects WHERE subject_id = $1", subject_id)
    )
    return consents, objections, erased


async def policy_rows(
    conn: asyncpg.Connection,
) -> tuple[list[asyncpg.Record], list[asyncpg.Record], list[asyncpg.Record]]:
    return (
        await conn.fetch("SELECT policy_version, rank FROM policy_versions"),
        await conn.fetch("SELECT purpose, rank FROM significant_changes"),
        await conn.fetch("SELECT * FROM transfers"),
    )


async def view_position(conn: asyncpg.Connection) -> int:
    """The position of the view: the last event of this service's store it reflects."""
    return int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM events"))
