"""Calls from the gateway to the services: the caller's token, correlation id and trace go along.

A service's 4xx passes through as it is (its `reason` is meant for clients).
A 5xx or an unreachable service becomes a 502 `upstream_failed` or a 503
`upstream_unavailable` that says which service, never what went wrong inside it.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import Request

from ac_contracts.errors import Refused
from ac_events.context import correlation_id
from ac_events.tracing import inject_headers
from ac_platform.http import peer_client

log = logging.getLogger(__name__)

FORWARDED = ("authorization", "idempotency-key")
"""Request headers the services need: who calls, and the write's idempotency key."""


class Upstreams:
    def __init__(self, urls: dict[str, str], timeout_s: float) -> None:
        self.urls = urls
        self.client = peer_client(
            timeout_s=timeout_s, max_connections=200, max_keepalive_connections=50
        )

    async def close(self) -> None:
        await self.client.aclose()

    def _headers(self, request: Request | None) -> dict[str, str]:
        headers = {k: v.decode() for k, v in inject_headers()}
        cid = correlation_id.get()
        if cid:
            headers["x-correlation-id"] = cid
        if request is not None:
            for name in FORWARDED:
                if name in request.headers:
                    headers[name] = request.headers[name]
        return headers

    async def send(
        self,
        service: str,
        method: str,
        path: str,
        request: Request | None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """The service's response; raises `Unavailable` for 5xx and transport errors."""
        url = f"{self.urls[service]}{path}"
        try:
            response = await self.client.request(
                method,
                url,
                json=json,
                params={k: v for k, v in (params or {}).items() if v is not None},
                headers=self._headers(request),
            )
        except httpx.HTTPError as exc:
            log.warning("%s unreachable: %s", service, type(exc).__name__)
            raise Refused("upstream_unavailable", f"{service} is unavailable") from exc
        if response.status_code >= 500:
            log.warning("%s answered %d on %s %s", service, response.status_code, method, path)
            reason = "upstream_unavailable" if response.status_code == 503 else "upstream_failed"
            raise Refused(reason, f"{service} is unavailable")
        return response
