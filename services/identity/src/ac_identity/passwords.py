"""Passwords: argon2id hashing off the event loop, and the back-off of failed attempts.

Hashing is CPU-bound (about a core for tens of milliseconds at production cost): it runs
in worker threads, at most `HASHING_THREADS` at once, so a burst of sign-ins queues
instead of stalling every other request.

A failed password slows the next attempt under the same key (`domain.Backoff`): never a
lock. Sign-ins count per (account, source) and per account; the account-wide count spares
sources the account signed in from before, so no stranger can keep the owner out.
Re-authentication (erasure, a password change) counts per signed-in person.
"""

from __future__ import annotations

import asyncio
import hmac
import math
from datetime import datetime, timedelta

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ac_contracts.errors import Refused
from ac_identity import store
from ac_identity.domain import (
    PER_ACCOUNT,
    PER_SOURCE,
    REAUTHENTICATION,
    ZERO,
    Backoff,
    Failures,
    login_wait,
)
from ac_identity.settings import IdentitySettings
from ac_platform.clock import Clock

HASHING_THREADS = 2
"""Password hashes computed at once (argon2 takes a core each, off the event loop)."""
KNOWN_FOR = timedelta(days=30)
"""A source that signed in to an account within this long is known to it."""


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def too_many(wait: timedelta, what: str) -> Refused:
    seconds = max(1, math.ceil(wait.total_seconds()))
    return Refused(
        "too_many_attempts", f"too many failed {what}: try again in {seconds} s",
        retry_after_s=seconds,
    )  # fmt: skip


class Passwords:
    def __init__(
        self, settings: IdentitySettings, pool: asyncpg.Pool, index_key: bytes, clock: Clock
    ) -> None:
        self.pool = pool
        self.clock = clock
        self._index_key = index_key
        self._hashing = asyncio.Semaphore(HASHING_THREADS)
        self._hasher = PasswordHasher(
            time_cost=settings.hash_time_cost, memory_cost=settings.hash_memory_kib
        )
        self.dummy = self._hasher.hash("not a password of anyone: spends the same time")

    async def hash(self, password: str) -> str:
        async with self._hashing:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Checks against the dummy hash when there is no account (the same time either way)."""
        async with self._hashing:
            found = await asyncio.to_thread(
                _verify, self._hasher, password_hash or self.dummy, password
            )
        return found and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    # -- back-off ---------------------------------------------------------

    def source_digest(self, source: str) -> str:
        """What is kept of a client address: an HMAC of it."""
        return hmac.new(self._index_key, f"source:{source}".encode(), "sha256").hexdigest()[:32]

    async def _failures(self, key: str) -> Failures | None:
        found = await store.failures(self.pool, key)
        return Failures(*found) if found else None

    async def _failed(self, backoff: Backoff, key: str, now: datetime) -> None:
        after = backoff.counted(await self._failures(key), now)
        await store.save_failures(self.pool, key, after.count, after.last_at)

    async def check_login(self, index: str, source: str) -> None:
        """Refuses (429, with how long to wait) a sign-in that must wait."""
        now, digest = self.clock(), self.source_digest(source)
        own = await self._failures(f"login:{index}:{digest}")
        everyone = await self._failures(f"account:{index}")
        known = await store.known_source(self.pool, index, digest, now - KNOWN_FOR)
        wait = login_wait(own, everyone, known, now)
        if wait > ZERO:
            raise too_many(wait, "sign-ins")

    async def login_failed(self, index: str, source: str) -> None:
        now, digest = self.clock(), self.source_digest(source)
        await self._failed(PER_SOURCE, f"login:{index}:{digest}", now)
        await self._failed(PER_ACCOUNT, f"account:{index}", now)
        await store.prune_failures(self.pool, now - PER_SOURCE.forget_after)

    async def login_succeeded(self, index: str, source: str) -> None:
        digest = self.source_digest(source)
        await store.forget_failures(self.pool, f"login:{index}:{digest}")
        await store.saw_source(self.pool, index, digest, self.clock())

    async def reauthenticate(
        self, subject_id: str, password_hash: str | None, password: str
    ) -> None:
        """A signed-in person's password again: refused (401), or slowed (429) after failures."""
        key = f"reauth:{subject_id}"
        wait = REAUTHENTICATION.wait(await self._failures(key), self.clock())
        if wait > ZERO:
            raise too_many(wait, "confirmations")
        if not await self.verify(password_hash, password):
            await self._failed(REAUTHENTICATION, key, self.clock())
            raise Refused("reauthentication_failed", "the password is wrong")
        await store.forget_failures(self.pool, key)
