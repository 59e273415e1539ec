"""What a route of the gateway is: one row of its table (`routes.py`).

A row says who may call the route (the token's roles, or `PUBLIC`), which service
answers it and at which path (a template over the route's path parameters and the
caller's `{subject}` and `{org}`: a person's own routes take the subject from the
token, never from the request), and the models of its body, query and answer,
all from `ac_contracts`. `relay.py` turns each row into a FastAPI route; the
security matrix test iterates the same rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

from ac_platform.auth import Caller, Principal

PUBLIC: frozenset[Caller] = frozenset()
"""No token needed."""
USERS = frozenset({Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR})
STUDENT = frozenset({Caller.STUDENT})
CLIENT = frozenset({Caller.CLIENT})
CLIENT_OR_STAFF = frozenset({Caller.CLIENT, Caller.STAFF})
STAFF = frozenset({Caller.STAFF})
AUDITING = frozenset({Caller.AUDITOR, Caller.STAFF})

Handler = Callable[[Request, Principal | None, Mapping[str, Any]], Awaitable[Response]]
"""A custom route: the request, the caller (None on a public route) and its path parameters."""


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    """The public path, under `/v1`."""
    roles: frozenset[Caller]
    """Who may call it (`PUBLIC`: anyone, without a token)."""
    upstream: str
    """The service that answers it (a name of `ac_contracts.services`)."""
    to: str
    """The service's path: the route's path parameters, `{subject}` and `{org}` (the caller's)."""
    summary: str
    tags: tuple[str, ...]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    """The answer's model (a class, or `list[Model]`); None when it has no body."""
    status: int = 200
    params: Mapping[str, Any] = field(default_factory=dict)
    """The path parameters and their types (the same `Annotated` types the service takes)."""
    limited: str | None = None
    """The rate-limit bucket it counts against (`limits.BUCKETS`), if any."""
    headers: tuple[str, ...] = ()
    """Response headers passed through from the service (beside `www-authenticate`)."""
    html: bool = False
    """The answer is an HTML page, not JSON."""
    own_org: str | None = None
    """A path parameter a client caller may only set to their own organisation (else 404)."""
    handler: Handler | None = None
    """For the few routes that do more than relay one call."""

    @property
    def public(self) -> bool:
        return not self.roles

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path
