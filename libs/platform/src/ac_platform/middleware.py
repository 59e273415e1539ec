"""The middleware every service shares: a correlation id per request (and the last line of
defence against an unexpected exception), and the refusal of a body holding NUL."""

from __future__ import annotations

import logging
import uuid

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ac_events.context import correlation_id

log = logging.getLogger(__name__)


class CorrelationMiddleware:
    """A correlation id per request (`X-Correlation-ID`, made when absent, echoed back),
    and the last line of defence: an unexpected exception is logged by type only and
    answered `500 {"detail": "internal error"}`. Plain ASGI (no per-request task)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-correlation-id", "")
        cid = given if 0 < len(given) <= 100 and given.isprintable() else str(uuid.uuid4())
        token = correlation_id.set(cid)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-correlation-id", cid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # say nothing of it to the caller
            log.error("unhandled %s on %s %s", type(exc).__name__, scope["method"], scope["path"])
            if not started:
                response = JSONResponse(
                    {"detail": "internal error", "correlation_id": cid}, status_code=500
                )
                await response(scope, receive, send_with_id)
        finally:
            correlation_id.reset(token)


class NulGuard:
    """Refuses a request body holding the NUL character (JSON `\\u0000`) with a 422:
    PostgreSQL text cannot store it, and no field of ours has a use for it. The body is
    read first (bodies are small; the gateway caps them) and then handed on unchanged."""

    NUL = b"\\u0000"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        if self.NUL in b"".join(m.get("body", b"") for m in messages):
            detail = {
                "reason": "nul_character",
                "message": "text may not contain the NUL character",
            }
            await JSONResponse({"detail": detail}, status_code=422)(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
