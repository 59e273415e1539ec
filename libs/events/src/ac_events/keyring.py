"""Per-person data keys (crypto-shredding, architecture.md §4).

A `Keyring` hands out a person's data key; destroying it makes every personal
field of theirs, in every copy of every event, read as `ERASED`.

`PostgresKeyring` is the authoritative keyring (it lives in the identity
service's database), its keys wrapped by a master key from settings.
Services other than identity reach it through identity's internal API
(`ac_platform.peers.HttpKeyring`, with their own client credentials).
"""

from __future__ import annotations

import time
from typing import Protocol

import asyncpg

from ac_events.catalogue.base import ERASED, WITHHELD, Redacted
from ac_events.crypto import DecryptionError, decrypt, encrypt, new_data_key


class KeyDestroyed(LookupError):
    """The person's key was destroyed: nothing new may be encrypted for them."""


class Keyring(Protocol):
    async def key_for(self, subject_id: str) -> bytes | Redacted:
        """The subject's key, `ERASED` if destroyed (or never made), `WITHHELD` if not ours."""
        ...

    async def ensure(self, subject_id: str) -> bytes:
        """The subject's key, created on first use; `KeyDestroyed` after erasure."""
        ...

    async def destroy(self, subject_id: str) -> None: ...


class PostgresKeyring:
    """Keys in a `keyring` table, each wrapped (AES-GCM) under the master key.

    During a master-key rotation, `previous` is the old key: keys not yet rewrapped
    (see `rewrap`) are still read with it; new keys are always wrapped with the new one.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        master_key: bytes,
        master_key_id: str = "k1",
        previous: bytes | None = None,
    ) -> None:
        self._pool = pool
        self._master = master_key
        self._kek_id = master_key_id
        self._previous = previous

    def _wrap(self, subject_id: str, key: bytes) -> bytes:
        return encrypt(self._master, key, subject_id.encode())

    def _unwrap(self, subject_id: str, wrapped: bytes) -> bytes:
        try:
            return decrypt(self._master, wrapped, subject_id.encode())
        except DecryptionError:
            if self._previous is None:
                raise
            return decrypt(self._previous, wrapped, subject_id.encode())

    async def rewrap(self, batch: int = 500) -> int:
        """Rewraps every live key still under the previous master key; returns how many.
        Idempotent, one transaction per batch, safe beside a running identity."""
        done = 0
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT subject_id, wrapped_key FROM keyring WHERE wrapped_key IS NOT NULL"
            )
            for start in range(0, len(rows), batch):
                async with conn.transaction():
                    for row in rows[start : start + batch]:
                        subject, wrapped = row["subject_id"], row["wrapped_key"]
                        try:
                            decrypt(self._master, wrapped, subject.encode())
                            continue  # already under the new key
                        except DecryptionError:
                            key = self._unwrap(subject, wrapped)
                        status = await conn.execute(
                            """UPDATE keyring SET wrapped_key = $3, kek_id = $4
                               WHERE subject_id = $1 AND wrapped_key = $2""",
                            subject,
                            wrapped,
                            self._wrap(subject, key),
                            self._kek_id,
                        )
                        done += status.endswith("1")
        return done

    async def key_for(self, subject_id: str) -> bytes | Redacted:
        wrapped = await self._pool.fetchval(
            "SELECT wrapped_key FROM keyring WHERE subject_id = $1", subject_id
        )
        return ERASED if wrapped is None else self._unwrap(subject_id, wrapped)

    async def ensure(self, subject_id: str) -> bytes:
        row = await self._pool.fetchrow(
            """
            INSERT INTO keyring (subject_id, wrapped_key, kek_id)
            VALUES ($1, $2, $3)
            ON CONFLICT (subject_id) DO UPDATE SET subject_id = EXCLUDED.subject_id
            RETURNING wrapped_key
            """,
            subject_id,
            self._wrap(subject_id, new_data_key()),
            self._kek_id,
        )
        assert row is not None
        if row["wrapped_key"] is None:
            raise KeyDestroyed(subject_id)
        return self._unwrap(subject_id, row["wrapped_key"])

    async def destroy(self, subject_id: str) -> None:
        await self._pool.execute(
            """
            INSERT INTO keyring (subject_id, wrapped_key, kek_id, destroyed_at)
            VALUES ($1, NULL, $2, now())
            ON CONFLICT (subject_id) DO UPDATE
                SET wrapped_key = NULL, destroyed_at = coalesce(keyring.destroyed_at, now())
            """,
            subject_id,
            self._kek_id,
        )


class CachedKeyring:
    """Keeps keys in memory for `ttl_s`; `forget` on `SubjectErased` drops one at once."""

    def __init__(self, inner: Keyring, ttl_s: float = 60.0) -> None:
        self._inner = inner
        self._ttl = ttl_s
        self._keys: dict[str, tuple[float, bytes]] = {}

    def _cached(self, subject_id: str) -> bytes | None:
        hit = self._keys.get(subject_id)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    async def key_for(self, subject_id: str) -> bytes | Redacted:
        key = self._cached(subject_id)
        if key is not None:
            return key
        found = await self._inner.key_for(subject_id)
        if isinstance(found, bytes):
            self._keys[subject_id] = (time.monotonic() + self._ttl, found)
        return found

    async def ensure(self, subject_id: str) -> bytes:
        key = self._cached(subject_id)
        if key is not None:
            return key
        key = await self._inner.ensure(subject_id)
        self._keys[subject_id] = (time.monotonic() + self._ttl, key)
        return key

    async def destroy(self, subject_id: str) -> None:
        self.forget(subject_id)
        await self._inner.destroy(subject_id)

    def forget(self, subject_id: str) -> None:
        self._keys.pop(subject_id, None)


class NoKeys:
    """For readers that must never see personal data: every personal field is `WITHHELD`."""

    async def key_for(self, subject_id: str) -> bytes | Redacted:
        return WITHHELD

    async def ensure(self, subject_id: str) -> bytes:
        raise PermissionError("this service holds no data keys")

    async def destroy(self, subject_id: str) -> None:
        raise PermissionError("this service holds no data keys")
