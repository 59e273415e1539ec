"""What the gateway's routes need, built once by `app.wiring`."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from ac_gateway.limits import RateLimiter
from ac_gateway.upstream import Upstreams
from ac_platform.service import deps_of


@dataclass(frozen=True)
class GatewayDeps:
    upstreams: Upstreams
    """Its clients of the services."""
    limiter: RateLimiter
    """The rate limits of the public account routes, shared by every replica."""


def gateway(request: Request) -> GatewayDeps:
    """The gateway's dependencies, for its handlers (called directly, not as a dependency)."""
    return deps_of(request, GatewayDeps)
