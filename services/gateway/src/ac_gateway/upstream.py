"""Calls from the gateway to the services: a narrowed token, the correlation id and the
trace go along.

The gateway never forwards a person's own token (issue 14, item 13). For each call it
exchanges it at identity (RFC 8693) for a token of the one service it calls, for a minute
at most: a service that is compromised learns nothing it could use at another, or at the
gateway. Identity refuses the exchange once the person's session or account has ended, so
a signed-out or erased person's token stops at once, everywhere (item 8). A public route
sends no person's token; to identity it sends the gateway's own (so identity may trust the
client address the gateway tells it).

A service's 4xx passes through as it is (its `reason` is meant for clients). A 5xx or an
unreachable service becomes a 502 `upstream_failed` or a 503 `upstream_unavailable` that
says which service, never what went wrong inside it.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import Request

from ac_contracts.errors import Refused
from ac_contracts.identity import ACCESS_TOKEN_TYPE, CLIENT_ADDRESS, TOKEN_EXCHANGE
from ac_events.context import correlation_id
from ac_events.tracing import inject_headers
from ac_platform.auth import ServiceToken
from ac_platform.http import peer_client

log = logging.getLogger(__name__)


class Upstreams:
    def __init__(
        self, urls: dict[str, str], timeout_s: float, client_id: str, client_secret: str
    ) -> None:
        self.urls = urls
        self.client = peer_client(
            timeout_s=timeout_s, max_connections=200, max_keepalive_connections=50
        )
        self._client_id = client_id
        self._secret = client_secret
        self._identity = peer_client(urls["identity"], timeout_s=timeout_s)
        self._own = ServiceToken(self._identity, client_id, client_secret, audience="identity")

    async def close(self) -> None:
        await self.client.aclose()
        await self._identity.aclose()

    async def narrowed(self, person_token: str, audience: str) -> str:
        """The person's token exchanged for one of `audience`; `session_ended` (401) if
        identity refuses it."""
        body = {
            "grant_type": TOKEN_EXCHANGE,
            "client_id": self._client_id,
            "client_secret": self._secret,
            "subject_token": person_token,
            "subject_token_type": ACCESS_TOKEN_TYPE,
            "audience": audience,
        }
        try:
            r = await self.client.post(f"{self.urls['identity']}/oauth/token", json=body)
        except httpx.HTTPError as exc:
            raise Refused("upstream_unavailable", "identity is unavailable") from exc
        if r.status_code == 401 and r.json()["detail"]["reason"] == "session_ended":
            raise Refused("session_ended", "this session has ended: sign in again")
        if r.status_code != 200:
            log.warning("identity refused the gateway's exchange: %d", r.status_code)
            raise Refused("upstream_unavailable", "identity is unavailable")
        return str(r.json()["access_token"])

    async def _headers(self, service: str, request: Request | None, person: bool) -> dict[str, str]:
        headers = {k: v.decode() for k, v in inject_headers()}
        cid = correlation_id.get()
        if cid:
            headers["x-correlation-id"] = cid
        if request is None:
            return headers
        if key := request.headers.get("idempotency-key"):
            headers["idempotency-key"] = key  # a retried write is made once
        bearer = request.headers.get("authorization", "")
        if person and bearer.lower().startswith("bearer "):
            token = await self.narrowed(bearer[7:].strip(), service)
            headers["authorization"] = f"Bearer {token}"
        elif not person and service == "identity":
            try:
                headers.update(await self._own.headers())
            except httpx.HTTPError as exc:
                raise Refused("upstream_unavailable", "identity is unavailable") from exc
            headers[CLIENT_ADDRESS] = request.client.host if request.client else "unknown"
        return headers

    async def send(
        self,
        service: str,
        method: str,
        path: str,
        request: Request | None,
        *,
        person: bool = True,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """The service's response; raises `Unavailable` for 5xx and transport errors.
        `person`: the route is a signed-in person's (their token is exchanged for the call)."""
        url = f"{self.urls[service]}{path}"
        headers = await self._headers(service, request, person)
        try:
            response = await self.client.request(
                method,
                url,
                json=json,
                params={k: v for k, v in (params or {}).items() if v is not None},
                headers=headers,
            )
        except httpx.HTTPError as exc:
            log.warning("%s unreachable: %s", service, type(exc).__name__)
            raise Refused("upstream_unavailable", f"{service} is unavailable") from exc
        if response.status_code >= 500:
            log.warning("%s answered %d on %s %s", service, response.status_code, method, path)
            reason = "upstream_unavailable" if response.status_code == 503 else "upstream_failed"
            raise Refused(reason, f"{service} is unavailable")
        return response
