"""Every SQL statement of the consent service's view (asyncpg), nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias
from uuid import UUID

import asyncpg
import orjson

from ac_events.catalogue import (
    ConsentGranted,
    CountryNoticePublished,
    DataShared,
    PolicyPublished,
    PurposeChange,
    UseRef,
)

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool


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


async def policies_version(conn: asyncpg.Connection, stream_id: str) -> int:
    return int(
        await conn.fetchval("SELECT version FROM streams WHERE stream_id = $1", stream_id) or 0
    )


# ---------------------------------------------------------------- decisions

_DECISION_INPUTS = """
WITH req AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
        WITH ORDINALITY AS r(subject_id, stream_id, purpose, recipient, idx)
)
SELECT r.idx,
       (SELECT version FROM streams s WHERE s.stream_id = r.stream_id) AS subject_version,
       (SELECT version FROM streams s WHERE s.stream_id = $5) AS policies_version,
       EXISTS (SELECT 1 FROM erased_subjects e WHERE e.subject_id = r.subject_id) AS erased,
       ARRAY(SELECT o.transfer_id FROM transfer_objections o
             WHERE o.subject_id = r.subject_id) AS objections,
       (r.recipient = '*' OR EXISTS (SELECT 1 FROM organisations g
             WHERE g.organization_id = r.recipient)) AS recipient_known,
       c.consent_id, c.granted_event_id, c.purpose, c.recipient, c.region, c.data_categories,
       c.sensitive_categories, c.policy_version, c.granted_at, c.withdrawn_event_id
FROM req r
LEFT JOIN consents c ON c.subject_id = r.subject_id AND c.purpose = r.purpose
    AND (c.recipient = r.recipient OR c.recipient = '*')
ORDER BY r.idx
"""


async def decision_inputs(
    conn: asyncpg.Connection | asyncpg.Pool,
    subjects: list[str],
    streams: list[str],
    purposes: list[str],
    recipients: list[str],
    policies_stream: str,
) -> list[asyncpg.Record]:
    """Everything the decisions on these requests read, in ONE statement (one snapshot).

    One row per (request, consent of that person for that purpose naming that
    recipient or `*`: the only consents `decide_flow` can use), or one row with
    null consent columns when there is none; `idx` is the 1-based request.
    """
    rows: list[asyncpg.Record] = await conn.fetch(
        _DECISION_INPUTS, subjects, streams, purposes, recipients, policies_stream
    )
    return rows


# ---------------------------------------------------------------- other services' facts


async def add_organisation(
    conn: asyncpg.Connection, org_id: str, legal_name: str, country: str, at: datetime
) -> None:
    await conn.execute(
        """INSERT INTO organisations VALUES ($1, $2, $3, $4)
           ON CONFLICT (organization_id) DO UPDATE
           SET legal_name = EXCLUDED.legal_name, country = EXCLUDED.country""",
        org_id,
        legal_name,
        country,
        at,
    )


async def organisation_known(conn: asyncpg.Connection, org_id: str) -> bool:
    return bool(
        await conn.fetchval("SELECT 1 FROM organisations WHERE organization_id = $1", org_id)
    )


async def add_country_notice(
    conn: asyncpg.Connection, e: CountryNoticePublished, event_id: UUID, at: datetime
) -> None:
    await conn.execute(
        """INSERT INTO country_notices VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (notice_sha256) DO NOTHING""",
        e.notice_sha256,
        e.country,
        e.country_name,
        e.protection_system,
        e.recipient_measures,
        event_id,
        at,
    )


async def country_notice(conn: asyncpg.Connection, sha256: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM country_notices WHERE notice_sha256 = $1", sha256)


async def country_notices(conn: asyncpg.Connection, country: str) -> list[asyncpg.Record]:
    """The notices published for `country`, newest first."""
    return list(
        await conn.fetch(
            "SELECT * FROM country_notices WHERE country = $1 ORDER BY published_at DESC", country
        )
    )


async def add_disclosure(conn: asyncpg.Connection, subject_id: str, e: DataShared) -> None:
    justification = (
        e.decision.model_dump(mode="json") if e.decision else e.legal.model_dump(mode="json")  # type: ignore[union-attr]
    )
    await conn.execute(
        """INSERT INTO disclosures VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (disclosure_id) DO NOTHING""",
        e.disclosure_id,
        subject_id,
        e.shared_at,
        e.purpose.value,
        e.organization_id,
        e.recipient_legal_name,
        e.recipient_country,
        [i.value for i in e.data_items],
        [i.value for i in e.sensitive_items],
        orjson.dumps(justification).decode(),
    )


async def disclosures_of(conn: asyncpg.Connection, subject_id: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM disclosures WHERE subject_id = $1 ORDER BY shared_at, disclosure_id",
        subject_id,
    )
    return rows


async def erased_at(conn: asyncpg.Connection, subject_id: str) -> datetime | None:
    at: datetime | None = await conn.fetchval(
        "SELECT erased_at FROM erased_subjects WHERE subject_id = $1", subject_id
    )
    return at


# ---------------------------------------------------------------- the published policy


async def add_policy_text(
    conn: asyncpg.Connection,
    e: PolicyPublished,
    texts: dict[str, str] | None,
    event_id: UUID,
    published_at: datetime,
) -> None:
    await conn.execute(
        """INSERT INTO policy_texts (policy_version, text_sha256, texts, changes, effective_at,
                                     published_at, event_id)
           VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7) ON CONFLICT DO NOTHING""",
        e.policy_version,
        e.text_sha256,
        None if texts is None else orjson.dumps(texts).decode(),
        orjson.dumps([c.model_dump(mode="json") for c in e.changes]).decode(),
        e.effective_at,
        published_at,
        event_id,
    )


async def policy_texts(conn: Conn) -> list[asyncpg.Record]:
    """Every version with its text, in publication order."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT t.*, v.rank FROM policy_texts t JOIN policy_versions v USING (policy_version)
           ORDER BY v.rank"""
    )
    return rows


async def policy_text_sha256(conn: Conn, version: str) -> str | None:
    sha: str | None = await conn.fetchval(
        "SELECT text_sha256 FROM policy_texts WHERE policy_version = $1", version
    )
    return sha


async def version_of_text(conn: Conn, sha: str) -> str | None:
    version: str | None = await conn.fetchval(
        "SELECT policy_version FROM policy_texts WHERE text_sha256 = $1 LIMIT 1", sha
    )
    return version


async def recipient_countries(conn: Conn) -> list[str]:
    """Where the registered client organisations are."""
    rows = await conn.fetch("SELECT DISTINCT country FROM organisations ORDER BY country")
    return [r["country"] for r in rows]


# ---------------------------------------------------------------- uses [E] #18


async def add_use(
    conn: asyncpg.Connection, event_id: UUID, subject_id: str, at: datetime, what: str,
    use: UseRef,
) -> None:  # fmt: skip
    await conn.execute(
        """INSERT INTO uses VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING""",
        event_id,
        subject_id,
        at,
        what,
        use.purpose.value if use.purpose else None,
        use.basis.value,
        use.decision.model_dump_json() if use.decision else None,
    )


async def uses_of(
    conn: asyncpg.Connection, subject_id: str, purpose: str | None,
    after: tuple[datetime, UUID] | None, limit: int,
) -> list[asyncpg.Record]:  # fmt: skip
    """A person's uses, newest first (one purpose's, if named), `limit + 1` after `after`."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT * FROM uses WHERE subject_id = $1 AND ($2::text IS NULL OR purpose = $2)
             AND ($3::timestamptz IS NULL OR (used_at, event_id) < ($3, $4::uuid))
           ORDER BY used_at DESC, event_id DESC LIMIT $5""",
        subject_id,
        purpose,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    return rows


async def uses_by_purpose(conn: asyncpg.Connection, subject_id: str) -> dict[str, int]:
    rows = await conn.fetch(
        """SELECT coalesce(purpose, 'not_recorded') AS purpose, count(*) AS n FROM uses
           WHERE subject_id = $1 GROUP BY 1 ORDER BY 1""",
        subject_id,
    )
    return {r["purpose"]: int(r["n"]) for r in rows}
