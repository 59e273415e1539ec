"""Every SQL statement of the notifications service (asyncpg), nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
import orjson

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool


async def save_contact(
    conn: asyncpg.Connection,
    subject_id: str,
    sealed: str,
    language: str,
    role: str,
    organization_id: str | None = None,
) -> None:
    await conn.execute(
        """INSERT INTO contacts (subject_id, address_sealed, language, role, organization_id)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (subject_id) DO UPDATE SET address_sealed = EXCLUDED.address_sealed,
               language = EXCLUDED.language, role = EXCLUDED.role,
               organization_id = EXCLUDED.organization_id, updated_at = now()""",
        subject_id,
        sealed,
        language,
        role,
        organization_id,
    )


async def update_contact(
    conn: asyncpg.Connection, subject_id: str, sealed: str | None, language: str | None
) -> None:
    await conn.execute(
        """UPDATE contacts SET address_sealed = coalesce($2, address_sealed),
               language = coalesce($3, language), updated_at = now()
           WHERE subject_id = $1""",
        subject_id,
        sealed,
        language,
    )


async def contact(conn: Conn, subject_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM contacts WHERE subject_id = $1", subject_id)


async def forget_person(conn: asyncpg.Connection, subject_id: str) -> None:
    """At erasure: the address goes, and nothing more is sent to the person."""
    await conn.execute("DELETE FROM contacts WHERE subject_id = $1", subject_id)
    await conn.execute(
        """UPDATE messages SET status = 'skipped', last_error = 'erased'
           WHERE subject_id = $1 AND status IN ('pending', 'sending')""",
        subject_id,
    )
    await conn.execute("UPDATE subscriptions SET active = false WHERE subject_id = $1", subject_id)


async def set_audience(
    conn: asyncpg.Connection,
    consent_id: UUID,
    subject_id: str,
    purpose: str,
    active: bool,
    policy_version: str | None = None,
    granted_at: datetime | None = None,
) -> None:
    await conn.execute(
        """INSERT INTO audience (consent_id, subject_id, purpose, active, policy_version, granted_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (consent_id) DO UPDATE SET active = EXCLUDED.active""",
        consent_id,
        subject_id,
        purpose,
        active,
        policy_version,
        granted_at,
    )


async def add_policy_version(conn: asyncpg.Connection, version: str, position: int) -> None:
    await conn.execute(
        "INSERT INTO policy_versions VALUES ($1, $2) ON CONFLICT DO NOTHING", version, position
    )


async def policy_position(conn: Conn, version: str) -> int | None:
    position: int | None = await conn.fetchval(
        "SELECT position FROM policy_versions WHERE policy_version = $1", version
    )
    return position


async def add_announcement(
    conn: asyncpg.Connection,
    event_id: UUID,
    kind: str,
    purposes: list[str],
    policy_position: int | None,
    opt_out_deadline: datetime | None,
    params: dict[str, Any],
) -> None:
    await conn.execute(
        """INSERT INTO announcements VALUES ($1, $2, $3, $4, $5, $6::jsonb)
           ON CONFLICT DO NOTHING""",
        event_id,
        kind,
        purposes,
        policy_position,
        opt_out_deadline,
        orjson.dumps(params).decode(),
    )


async def announcements_for(conn: Conn, purpose: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM announcements WHERE purposes @> ARRAY[$1] ORDER BY event_id", purpose
    )
    return rows


async def consented(conn: Conn, purposes: list[str]) -> list[asyncpg.Record]:
    """Active consents for any of `purposes`, with their version's position (NULL: not read
    yet; -1: a row from before versions were kept) and time (NULL for such rows)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT a.subject_id, a.purpose,
                  CASE WHEN a.policy_version IS NULL THEN -1 ELSE p.position END AS policy_position,
                  a.granted_at
           FROM audience a LEFT JOIN policy_versions p USING (policy_version)
           WHERE a.active AND a.purpose = ANY($1) ORDER BY a.subject_id""",
        purposes,
    )
    return rows


async def audience(conn: Conn, purposes: list[str]) -> list[str]:
    """People with an active consent for any of `purposes` (and an address)."""
    rows = await conn.fetch(
        """SELECT DISTINCT a.subject_id FROM audience a JOIN contacts c USING (subject_id)
           WHERE a.active AND a.purpose = ANY($1) ORDER BY a.subject_id""",
        purposes,
    )
    return [r["subject_id"] for r in rows]


async def active_consents(conn: Conn, subject_id: str, purpose: str) -> list[UUID]:
    rows = await conn.fetch(
        "SELECT consent_id FROM audience WHERE subject_id = $1 AND purpose = $2 AND active",
        subject_id,
        purpose,
    )
    return [r["consent_id"] for r in rows]


async def add_subscription(
    conn: asyncpg.Connection,
    subscription_id: UUID,
    subject_id: str,
    keywords: list[str],
    countries: list[str],
) -> None:
    await conn.execute(
        """INSERT INTO subscriptions (subscription_id, subject_id, keywords, countries)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
        subscription_id,
        subject_id,
        keywords,
        countries,
    )


async def end_subscription(conn: Conn, subscription_id: UUID, subject_id: str) -> bool:
    done = await conn.fetchval(
        """UPDATE subscriptions SET active = false
           WHERE subscription_id = $1 AND subject_id = $2 AND active RETURNING 1""",
        subscription_id,
        subject_id,
    )
    return bool(done)


async def subscriptions_of(
    conn: Conn, subject_id: str, after: tuple[datetime, UUID] | None = None, limit: int = 100
) -> list[asyncpg.Record]:
    """A person's active job alerts, newest first, `limit + 1` after the keyset `after`."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT * FROM subscriptions WHERE subject_id = $1 AND active
             AND ($2::timestamptz IS NULL OR (created_at, subscription_id) < ($2, $3::uuid))
           ORDER BY created_at DESC, subscription_id DESC LIMIT $4""",
        subject_id,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    return rows


async def active_subscriptions(conn: Conn) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch("SELECT * FROM subscriptions WHERE active")
    return rows


# ---------------------------------------------------------------- messages


async def add_message(
    conn: asyncpg.Connection,
    message_id: UUID,
    key: str,
    subject_id: str,
    kind: str,
    cause_event_id: UUID | None,
    params: dict[str, Any],
    consent_purpose: str | None,
) -> None:
    await conn.execute(
        """INSERT INTO messages (message_id, idempotency_key, subject_id, kind, cause_event_id,
               params, consent_purpose)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) ON CONFLICT DO NOTHING""",
        message_id,
        key,
        subject_id,
        kind,
        cause_event_id,
        orjson.dumps(params).decode(),
        consent_purpose,
    )


async def claim_due(
    conn: Conn, now: datetime, lease_until: datetime, limit: int
) -> list[asyncpg.Record]:
    """Takes due messages for one sender: `sending`, leased until `lease_until`."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """UPDATE messages m SET status = 'sending', attempts = m.attempts + 1,
               next_attempt_at = $2
           WHERE m.message_id IN (
               SELECT message_id FROM messages
               WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1
               ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING m.*""",
        now,
        lease_until,
        limit,
    )
    return rows


async def oldest_undelivered(conn: Conn) -> datetime | None:
    """When the oldest message not delivered yet (pending or being sent) was queued."""
    oldest: datetime | None = await conn.fetchval(
        "SELECT min(created_at) FROM messages WHERE status IN ('pending', 'sending')"
    )
    return oldest


async def mark_sent(conn: asyncpg.Connection, message_id: UUID, at: datetime) -> None:
    await conn.execute(
        "UPDATE messages SET status = 'sent', sent_at = $2, last_error = NULL WHERE message_id = $1",
        message_id,
        at,
    )


async def mark_ended(conn: asyncpg.Connection, message_id: UUID, status: str, error: str) -> None:
    await conn.execute(
        "UPDATE messages SET status = $2, last_error = $3 WHERE message_id = $1",
        message_id,
        status,
        error,
    )


async def retry_later(conn: Conn, message_id: UUID, at: datetime, error: str) -> None:
    await conn.execute(
        """UPDATE messages SET status = 'pending', next_attempt_at = $2, last_error = $3
           WHERE message_id = $1""",
        message_id,
        at,
        error,
    )


async def history(
    conn: Conn, subject_id: str, after: tuple[datetime, UUID] | None = None, limit: int = 100
) -> list[asyncpg.Record]:
    """A person's messages, newest first, `limit + 1` after the keyset `after`."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT message_id, kind, status, attempts, created_at, sent_at, last_error
           FROM messages WHERE subject_id = $1
             AND ($2::timestamptz IS NULL OR (created_at, message_id) < ($2, $3::uuid))
           ORDER BY created_at DESC, message_id DESC LIMIT $4""",
        subject_id,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    return rows


# ---------------------------------------------------------------- the desk [D] #16


async def add_desk_request(
    conn: asyncpg.Connection, request_id: UUID, kind: str, account: bool
) -> None:
    await conn.execute(
        "INSERT INTO desk_requests VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        request_id,
        kind,
        account,
    )


async def desk_request_kind(conn: Conn, request_id: UUID) -> str | None:
    kind: str | None = await conn.fetchval(
        "SELECT kind FROM desk_requests WHERE request_id = $1", request_id
    )
    return kind


async def client_users(conn: Conn, organization_id: str) -> list[str]:
    """The users of a client organisation (whom a notice to the recipient goes to)."""
    rows = await conn.fetch(
        """SELECT subject_id FROM contacts WHERE role = 'client' AND organization_id = $1
           ORDER BY subject_id""",
        organization_id,
    )
    return [r["subject_id"] for r in rows]


async def remove_bodies(conn: asyncpg.Connection, cutoff: datetime, at: datetime) -> int:
    """What delivered messages said, once their period ends: the delivery stays."""
    done = await conn.execute(
        """UPDATE messages SET params = '{}'::jsonb, body_removed_at = $2
           WHERE status = 'sent' AND sent_at < $1 AND body_removed_at IS NULL""",
        cutoff,
        at,
    )
    return int(done.split()[-1])
