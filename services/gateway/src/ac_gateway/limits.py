"""Limits at the edge: the request body's size, and rate limits on the public account routes.

Rate limits (issue 14, item 5) count per minute in PostgreSQL, so every replica of the
gateway sees the same counters. Each limited route names its bucket in the route table:

- `sign-in`: per (client address, username): a guesser at one address is slowed without
  denying anyone else, and one address trying many usernames meets the next limit;
- `refresh`: per client address, a bucket of its own (a browser refreshing is not a guess);
- `account`: per client address (registrations and email verifications);
- and every limited call counts against its address (`address`), a ceiling well above what
  a campus behind one NAT needs.

The client address is the peer's, unless the peer is a proxy the settings trust
(`GATEWAY_TRUSTED_PROXIES`: the ingress controller's range): then the `X-Forwarded-For`
hop that proxy saw (uvicorn's `ProxyHeadersMiddleware`, in the app). Keys are HMACs:
no address or username is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import UTC, datetime, timedelta

import asyncpg
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ac_platform.clock import Clock, utc_now

WINDOW = timedelta(minutes=1)
BUCKETS = ("sign-in", "refresh", "account")
"""The buckets a route of the table may name (`limited:`)."""


class BodyLimit:
    """Refuses bodies over `max_bytes` with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                await self._too_large(scope, receive, send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = {
            "detail": {"reason": "body_too_large", "message": f"at most {self.max_bytes} bytes"}
        }
        await JSONResponse(body, status_code=413)(scope, receive, send)


class _TooLarge(Exception):
    pass


class RateLimiter:
    """Fixed one-minute windows per (bucket, key), counted in the gateway's database."""

    def __init__(
        self, pool: asyncpg.Pool, per_minute: dict[str, int], key: bytes, clock: Clock = utc_now
    ) -> None:
        self.pool = pool
        self.per_minute = per_minute
        self._key = key
        self.clock = clock

    def _digest(self, *parts: str) -> str:
        return hmac.new(self._key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()[:32]

    async def _count(self, bucket: str, key: str, window: datetime) -> int:
        return int(
            await self.pool.fetchval(
                """INSERT INTO rate_counters VALUES ($1, $2, $3, 1)
                   ON CONFLICT (bucket, key, window_start)
                   DO UPDATE SET count = rate_counters.count + 1 RETURNING count""",
                bucket,
                key,
                window,
            )
        )

    async def wait(self, bucket: str, address: str, username: str | None = None) -> int:
        """Counts one call; the seconds to wait if it is over a limit (0: go ahead)."""
        now = self.clock()
        window = datetime.fromtimestamp(now.timestamp() // 60 * 60, UTC)
        left = max(1, math.ceil((window + WINDOW - now).total_seconds()))
        counts = [("address", self._digest(address))]
        if bucket == "sign-in":
            counts.append((bucket, self._digest(address, (username or "").strip().lower())))
        else:
            counts.append((bucket, self._digest(address)))
        over = False
        for name, key in counts:
            over |= await self._count(name, key, window) > self.per_minute[name]
        return left if over else 0

    async def prune(self) -> None:
        await self.pool.execute(
            "DELETE FROM rate_counters WHERE window_start < $1", self.clock() - 2 * WINDOW
        )
