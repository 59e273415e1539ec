"""`Idempotency-Key` on every write: a retry with the same key and body gets the first answer
and writes nothing new; the same key with another body is `409 idempotency_key_reused`.

A write (`POST`, `PUT`, `PATCH`, `DELETE`) that carries the header claims the key for its
caller (the token's subject, or `anonymous`) before it runs: a row `running` in the
service's database. When the answer is not a 5xx it is kept (`done`) and a retry is
answered with it, marked `Idempotent-Replayed: true`; a 5xx or a crash releases the key, so
the retry runs the write again. A retry that arrives while the first still runs waits for
it (up to `WAIT_S`), so a client that gave up on a slow write and retried gets that write's
answer, not a second write. Kept answers expire after `KEEP`.

One window stays: a process killed after its write committed and before the answer was
kept leaves the key `running`; it is released after `STALE`, and the retry then runs the
write again (the services' own rules still refuse what must not happen twice: a second CV
submission, a second application to a vacancy).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import timedelta

import asyncpg
import orjson
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ac_contracts.errors import Refused
from ac_platform.auth import TokenVerifier, Unauthenticated, bearer_token

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "idempotency-key"
WAIT_S = 15.0
KEEP = timedelta(hours=24)
STALE = timedelta(minutes=5)
MAX_KEY = 200

_CLAIM = """
WITH expired AS (
    DELETE FROM idempotency_keys
    WHERE created_at < now() - $5::interval
       OR (state = 'running' AND created_at < now() - $6::interval)
)
INSERT INTO idempotency_keys (owner, key, fingerprint, state) VALUES ($1, $2, $3, 'running')
ON CONFLICT DO NOTHING RETURNING $4::int"""
_FOUND = "SELECT fingerprint, state, status, content_type, body FROM idempotency_keys WHERE owner = $1 AND key = $2"
_KEEP = """UPDATE idempotency_keys SET state = 'done', status = $3, content_type = $4, body = $5
           WHERE owner = $1 AND key = $2"""
_RELEASE = "DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2"


def _refusal(reason: str, message: str) -> Response:
    refused = Refused(reason, message)
    return JSONResponse(refused.body(), status_code=refused.status)


class Idempotency:
    def __init__(
        self,
        app: ASGIApp,
        pool: Callable[[], asyncpg.Pool | None],
        verifier: Callable[[], TokenVerifier | None],
    ) -> None:
        self.app = app
        self.pool = pool
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        key = headers.get(HEADER) if headers is not None else None
        pool = self.pool() if key is not None else None
        if headers is None or key is None or scope["method"] not in WRITES or pool is None:
            await self.app(scope, receive, send)
            return
        if not 0 < len(key) <= MAX_KEY or not key.isprintable():
            await _refusal(
                "invalid_input", f"an Idempotency-Key is 1 to {MAX_KEY} printable characters"
            )(scope, receive, send)
            return
        owner = await self._owner(headers)
        messages, body = await _read_body(receive)
        fingerprint = hashlib.sha256(
            b"\n".join([scope["method"].encode(), scope["path"].encode(),
                        scope.get("query_string", b""), _canonical(body)])
        ).hexdigest()  # fmt: skip
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_S
        while True:
            if await pool.fetchval(_CLAIM, owner, key, fingerprint, 1, KEEP, STALE):
                await self._run_first(pool, owner, key, messages, scope, send)
                return
            row = await pool.fetchrow(_FOUND, owner, key)
            if row is None:
                continue  # the first failed and let the key go: run this one
            if row["fingerprint"] != fingerprint:
                answer = _refusal("idempotency_key_reused",
                                  "this Idempotency-Key was used with another request")  # fmt: skip
            elif row["state"] == "done":
                answer = Response(bytes(row["body"] or b""), status_code=int(row["status"]),
                                  media_type=row["content_type"] or None,
                                  headers={"Idempotent-Replayed": "true"})  # fmt: skip
            elif loop.time() < deadline:
                await asyncio.sleep(0.05)  # the first still runs: its answer is this one's
                continue
            else:
                answer = _refusal("idempotency_key_in_flight",
                                  "the first request with this key still runs")  # fmt: skip
            await answer(scope, receive, send)
            return

    async def _owner(self, headers: Headers) -> str:
        token = bearer_token(headers.get("authorization"))
        verifier = self.verifier()
        if token is None or verifier is None:
            return "anonymous"
        try:
            return (await verifier.verify(token)).subject
        except Unauthenticated:
            return "anonymous"  # the route refuses the token itself

    async def _run_first(
        self, pool: asyncpg.Pool, owner: str, key: str, messages: list[Message],
        scope: Scope, send: Send,
    ) -> None:  # fmt: skip
        status, content_type, chunks = 500, "application/json", []

        async def replay() -> Message:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def keep(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = int(message["status"])
                content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay, keep)
        except BaseException:
            await pool.execute(_RELEASE, owner, key)
            raise
        if status >= 500:
            await pool.execute(_RELEASE, owner, key)
        else:
            await pool.execute(_KEEP, owner, key, status, content_type, b"".join(chunks))


async def _read_body(receive: Receive) -> tuple[list[Message], bytes]:
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    return messages, b"".join(m.get("body", b"") for m in messages)


def _canonical(body: bytes) -> bytes:
    """A JSON body as its meaning (keys sorted, no spaces), so that the same request sent by
    another client, or relayed by the gateway, is the same request; other bodies as sent."""
    try:
        return orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        return body
