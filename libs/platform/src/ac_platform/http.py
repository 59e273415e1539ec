"""HTTP between our services: how long an idle connection is kept, on each side.

A client that reuses a kept-alive connection just as the server closes it gets a
`ReadError` (or `RemoteProtocolError`) for a request the server never saw. httpx
and uvicorn both default to 5 s, so the two timers race; the gateway's export,
which calls four services at once, lost that race in CI. The rule that rules it
out: a client drops an idle connection well before any server would, so the
server never closes one a client may still pick up.
"""

from __future__ import annotations

import httpx

CLIENT_KEEPALIVE_S = 2.0
"""A service's client closes a connection idle this long (httpx `keepalive_expiry`)."""
SERVER_KEEPALIVE_S = 30
"""A service's server keeps an idle connection this long (uvicorn `--timeout-keep-alive`;
also in the command of deploy/docker/Dockerfile)."""


def peer_client(
    base_url: str = "",
    *,
    timeout_s: float,
    max_connections: int = 100,
    max_keepalive_connections: int = 20,
) -> httpx.AsyncClient:
    """An httpx client for calls to our own services."""
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_keepalive_connections,
        keepalive_expiry=CLIENT_KEEPALIVE_S,
    )
    return httpx.AsyncClient(base_url=base_url, timeout=timeout_s, limits=limits)
