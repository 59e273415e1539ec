"""Every SQL statement of the identity service (asyncpg), nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool


async def insert_account(
    conn: asyncpg.Connection,
    subject_id: str,
    role: str,
    username_index: str,
    password_hash: str,
    organization_id: str | None,
) -> None:
    await conn.execute(
        """INSERT INTO accounts (subject_id, role, username_index, password_hash, organization_id)
           VALUES ($1, $2, $3, $4, $5)""",
        subject_id,
        role,
        username_index,
        password_hash,
        organization_id,
    )


async def account_by_index(conn: Conn, username_index: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM accounts WHERE username_index = $1", username_index)


async def account(conn: Conn, subject_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM accounts WHERE subject_id = $1", subject_id)


async def set_password_hash(conn: Conn, subject_id: str, password_hash: str) -> None:
    await conn.execute(
        "UPDATE accounts SET password_hash = $2 WHERE subject_id = $1", subject_id, password_hash
    )


async def save_profile(conn: Conn, subject_id: str, sealed: bytes) -> None:
    await conn.execute(
        """INSERT INTO profiles VALUES ($1, $2)
           ON CONFLICT (subject_id) DO UPDATE SET sealed = EXCLUDED.sealed""",
        subject_id,
        sealed,
    )


async def profile(conn: Conn, subject_id: str) -> bytes | None:
    sealed: bytes | None = await conn.fetchval(
        "SELECT sealed FROM profiles WHERE subject_id = $1", subject_id
    )
    return sealed


async def delete_account(conn: asyncpg.Connection, subject_id: str) -> None:
    """The account, its profile and verifications (cascade) and its refresh tokens."""
    await conn.execute("DELETE FROM refresh_tokens WHERE subject_id = $1", subject_id)
    await conn.execute("DELETE FROM accounts WHERE subject_id = $1", subject_id)


async def record_erasure(
    conn: asyncpg.Connection, subject_id: str, requested_at: datetime, completed_at: datetime
) -> None:
    await conn.execute(
        "INSERT INTO erasures VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        subject_id,
        requested_at,
        completed_at,
    )


async def request_erasure(
    conn: asyncpg.Connection, subject_id: str, requested_at: datetime, due_at: datetime
) -> None:
    await conn.execute(
        "INSERT INTO erasure_requests VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        subject_id,
        requested_at,
        due_at,
    )


async def due_erasure(conn: asyncpg.Connection, now: datetime) -> asyncpg.Record | None:
    """One erasure whose grace has passed, locked for this transaction."""
    return await conn.fetchrow(
        """SELECT * FROM erasure_requests WHERE due_at <= $1
           ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED""",
        now,
    )


async def erasure_requested_at(conn: Conn, subject_id: str) -> datetime | None:
    at: datetime | None = await conn.fetchval(
        "SELECT requested_at FROM erasure_requests WHERE subject_id = $1", subject_id
    )
    return at


async def finish_erasure_request(conn: asyncpg.Connection, subject_id: str) -> None:
    await conn.execute("DELETE FROM erasure_requests WHERE subject_id = $1", subject_id)


async def erased(conn: Conn, subject_id: str) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM erasures WHERE subject_id = $1", subject_id))


# ---------------------------------------------------------------- organisations


async def insert_organisation(conn: asyncpg.Connection, org: dict[str, Any]) -> bool:
    """False if the id is taken."""
    done = await conn.fetchval(
        """INSERT INTO organisations (organization_id, legal_name, address, representative, country)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1""",
        org["organization_id"],
        org["legal_name"],
        org["address"],
        org["representative"],
        org["country"],
    )
    return bool(done)


async def organisation(conn: Conn, organization_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM organisations WHERE organization_id = $1", organization_id
    )


async def organisations(conn: Conn) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM organisations ORDER BY organization_id"
    )
    return rows


# ---------------------------------------------------------------- tokens


async def insert_refresh(
    conn: Conn, token_hash: str, family_id: UUID, subject_id: str, expires_at: datetime,
    created_at: datetime,
) -> None:  # fmt: skip
    await conn.execute(
        """INSERT INTO refresh_tokens (token_hash, family_id, subject_id, expires_at, created_at)
           VALUES ($1, $2, $3, $4, $5)""",
        token_hash,
        family_id,
        subject_id,
        expires_at,
        created_at,
    )


async def refresh_for_update(conn: asyncpg.Connection, token_hash: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE", token_hash
    )


async def mark_refresh_used(conn: asyncpg.Connection, token_hash: str, at: datetime) -> None:
    await conn.execute(
        "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1", token_hash, at
    )


async def revoke_family(conn: Conn, family_id: UUID, at: datetime) -> None:
    await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
        family_id,
        at,
    )


async def family_active(conn: Conn, family_id: UUID) -> bool:
    """A session (refresh-token family) not revoked, logged out or erased."""
    return bool(
        await conn.fetchval(
            "SELECT bool_or(revoked_at IS NULL) FROM refresh_tokens WHERE family_id = $1",
            family_id,
        )
    )


async def insert_verification(
    conn: asyncpg.Connection, token_hash: str, subject_id: str, expires_at: datetime
) -> None:
    await conn.execute(
        "INSERT INTO email_verifications (token_hash, subject_id, expires_at) VALUES ($1, $2, $3)",
        token_hash,
        subject_id,
        expires_at,
    )


async def use_verification(conn: Conn, token_hash: str, at: datetime) -> str | None:
    """Marks the account verified; the subject, or None if the token is unknown/used/expired."""
    subject: str | None = await conn.fetchval(
        """WITH used AS (
               UPDATE email_verifications SET used_at = $2
               WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
               RETURNING subject_id)
           UPDATE accounts SET email_verified = true
           WHERE subject_id = (SELECT subject_id FROM used) RETURNING subject_id""",
        token_hash,
        at,
    )
    return subject


async def signing_keys(conn: Conn) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC"
    )
    return rows


async def insert_signing_key(conn: Conn, kid: str, sealed: bytes, public_jwk: str) -> None:
    await conn.execute(
        "INSERT INTO signing_keys (kid, sealed, public_jwk) VALUES ($1, $2, $3::jsonb)",
        kid,
        sealed,
        public_jwk,
    )


async def sealed_secret(conn: Conn, name: str) -> bytes | None:
    sealed: bytes | None = await conn.fetchval(
        "SELECT sealed FROM sealed_secrets WHERE name = $1", name
    )
    return sealed


async def put_sealed_secret(conn: Conn, name: str, sealed: bytes, replace: bool = False) -> None:
    """Stores a sealed secret; an existing one is kept unless `replace` (a rotation)."""
    await conn.execute(
        """INSERT INTO sealed_secrets VALUES ($1, $2)
           ON CONFLICT (name) DO UPDATE SET sealed = EXCLUDED.sealed WHERE $3""",
        name,
        sealed,
        replace,
    )


async def reseal_signing_key(conn: Conn, kid: str, sealed: bytes) -> None:
    await conn.execute("UPDATE signing_keys SET sealed = $2 WHERE kid = $1", kid, sealed)


# ---------------------------------------------------------------- failed passwords


async def failures(conn: Conn, key: str) -> tuple[int, datetime] | None:
    row = await conn.fetchrow("SELECT count, last_at FROM failures WHERE key = $1", key)
    return (int(row["count"]), row["last_at"]) if row else None


async def save_failures(conn: Conn, key: str, count: int, last_at: datetime) -> None:
    await conn.execute(
        """INSERT INTO failures VALUES ($1, $2, $3)
           ON CONFLICT (key) DO UPDATE SET count = EXCLUDED.count, last_at = EXCLUDED.last_at""",
        key,
        count,
        last_at,
    )


async def forget_failures(conn: Conn, *keys: str) -> None:
    await conn.execute("DELETE FROM failures WHERE key = ANY($1)", list(keys))


async def prune_failures(conn: Conn, before: datetime) -> None:
    await conn.execute("DELETE FROM failures WHERE last_at < $1", before)


async def known_source(conn: Conn, username_index: str, source: str, since: datetime) -> bool:
    return bool(
        await conn.fetchval(
            """SELECT 1 FROM known_sources
               WHERE username_index = $1 AND source = $2 AND seen_at > $3""",
            username_index,
            source,
            since,
        )
    )


async def saw_source(conn: Conn, username_index: str, source: str, at: datetime) -> None:
    await conn.execute(
        """INSERT INTO known_sources VALUES ($1, $2, $3)
           ON CONFLICT (username_index, source) DO UPDATE SET seen_at = EXCLUDED.seen_at""",
        username_index,
        source,
        at,
    )


# ---------------------------------------------------------------- retention [D] #16


async def unverified_before(
    conn: asyncpg.Connection, cutoff: datetime, limit: int
) -> list[asyncpg.Record]:
    """Self-registered accounts (students) whose address was never confirmed, registered
    before `cutoff` (locked). Accounts staff made are vouched for by staff, and stay."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT subject_id FROM accounts
           WHERE role = 'student' AND NOT email_verified AND created_at < $1
           ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
        cutoff,
        limit,
    )
    return rows


# ---------------------------------------------------------------- [D] #16 (6): sessions, resets


async def sessions(conn: Conn, subject_id: str, now: datetime) -> list[asyncpg.Record]:
    """The person's sessions (refresh-token families), newest first: when each began, was last
    used, and whether a token of it can still be used."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT family_id, min(created_at) AS created_at,
                  max(coalesce(used_at, created_at)) AS last_used_at,
                  bool_or(revoked_at IS NULL AND used_at IS NULL AND expires_at > $2) AS active
           FROM refresh_tokens WHERE subject_id = $1
           GROUP BY family_id ORDER BY max(created_at) DESC LIMIT 100""",
        subject_id,
        now,
    )
    return rows


async def revoke_sessions(
    conn: asyncpg.Connection, subject_id: str, at: datetime, keep: UUID | None = None
) -> int:
    """Revokes every session of the person (but `keep`); how many were still active."""
    ended: int = await conn.fetchval(
        """WITH ended AS (
               UPDATE refresh_tokens SET revoked_at = $2
               WHERE subject_id = $1 AND revoked_at IS NULL
                 AND ($3::uuid IS NULL OR family_id <> $3)
               RETURNING family_id, used_at, expires_at)
           SELECT count(DISTINCT family_id) FILTER (WHERE used_at IS NULL AND expires_at > $2)
           FROM ended""",
        subject_id,
        at,
        keep,
    )
    return ended


async def insert_reset(
    conn: asyncpg.Connection, token_hash: str, subject_id: str, expires_at: datetime
) -> None:
    await conn.execute(
        "INSERT INTO password_resets (token_hash, subject_id, expires_at) VALUES ($1, $2, $3)",
        token_hash,
        subject_id,
        expires_at,
    )


async def reset(conn: Conn, token_hash: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM password_resets WHERE token_hash = $1", token_hash)


async def reset_for_update(conn: asyncpg.Connection, token_hash: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM password_resets WHERE token_hash = $1 FOR UPDATE", token_hash
    )


async def use_resets(conn: asyncpg.Connection, subject_id: str, at: datetime) -> None:
    """Every open reset link of the person is used up (the one followed, and any other)."""
    await conn.execute(
        "UPDATE password_resets SET used_at = $2 WHERE subject_id = $1 AND used_at IS NULL",
        subject_id,
        at,
    )


async def set_username_index(conn: asyncpg.Connection, subject_id: str, index: str) -> None:
    await conn.execute(
        "UPDATE accounts SET username_index = $2 WHERE subject_id = $1", subject_id, index
    )


async def prune_resets(conn: Conn, before: datetime) -> None:
    await conn.execute("DELETE FROM password_resets WHERE expires_at < $1 OR used_at < $1", before)
