"""What the gateway's routes need, built once by `app.wiring`."""

from __future__ import annotations

from dataclasses import dataclass

from ac_gateway.limits import RateLimiter
from ac_gateway.upstream import Upstreams
from ac_platform.service import provide


@dataclass(frozen=True)
class GatewayDeps:
    upstreams: Upstreams
    """Its clients of the services."""
    limiter: RateLimiter
    """The rate limits of the public account routes, shared by every replica."""


gateway = provide(GatewayDeps)
