"""The route table made into FastAPI routes: one generic relay, typed by each row.

For each `Route` an endpoint is built whose signature FastAPI reads like any
hand-written one (path parameters, body, query model, the caller's role check,
the sign-in rate limit), so the OpenAPI document, validation and 401/403 answers
come from the table. The endpoint then calls the row's service at its path and
passes the answer through: its status, its JSON (or HTML) body, and the
response headers the row allows.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Body,
    Depends,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    Security,
)
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from ac_contracts.common import Problem
from ac_contracts.errors import Refused
from ac_contracts.reasons import REASONS
from ac_gateway.deps import gateway
from ac_gateway.table import Route
from ac_gateway.upstream import Upstreams
from ac_platform.auth import Caller, Principal, require


def upstreams(request: Request) -> Upstreams:
    """The gateway's clients of the services (its wiring's dependencies)."""
    return gateway(request).upstreams


def client_address(request: Request) -> str:
    """The client's address (a trusted proxy's `X-Forwarded-For` hop already applied)."""
    return request.client.host if request.client else "unknown"


async def rate_limited(request: Request, bucket: str, body: BaseModel | None) -> None:
    username = getattr(body, "username", None)
    wait = await gateway(request).limiter.wait(bucket, client_address(request), username)
    if wait:
        raise HTTPException(
            429,
            {"reason": "rate_limited", "message": f"too many attempts: retry in {wait} s",
             "retry_after_s": wait},
            {"Retry-After": str(wait)},
        )  # fmt: skip


BEARER = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="JWT",
    description="An access token from `POST /v1/auth/login` (EdDSA-signed JWT).",
    auto_error=False,
)
BearerToken = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]
"""Declares the route's bearer security in OpenAPI (`require` checks the token itself)."""


def upstream_path(route: Route, principal: Principal | None, params: Mapping[str, Any]) -> str:
    """The service's path for this call: the row's template, filled from the path
    parameters and the caller (`{subject}`, `{org}`)."""
    values = {k: str(v) for k, v in params.items()}
    if principal is not None:
        values["subject"] = principal.subject
        values["org"] = principal.organization_id or ""
    return route.to.format(**values)


def _check_org(route: Route, principal: Principal | None, params: Mapping[str, Any]) -> None:
    client = principal if principal is not None and principal.role == Caller.CLIENT else None
    if route.own_org and client and client.organization_id != params[route.own_org]:
        raise Refused("no_such_organisation", "no such organisation")


async def relay(
    route: Route,
    request: Request,
    principal: Principal | None,
    params: Mapping[str, Any],
    body: BaseModel | None,
    query: BaseModel | None,
) -> Response:
    _check_org(route, principal, params)
    if route.limited:
        await rate_limited(request, route.limited, body)
    if route.handler is not None:
        return await route.handler(request, principal, params)
    answer = await upstreams(request).send(
        route.upstream,
        route.method,
        upstream_path(route, principal, params),
        request,
        person=principal is not None,
        json=body.model_dump(mode="json", exclude_unset=True) if body is not None else None,
        params=query.model_dump(mode="json", exclude_none=True) if query is not None else None,
    )
    passed = {"www-authenticate", "retry-after", "idempotent-replayed", *route.headers}
    headers = {k: v for k, v in answer.headers.items() if k.lower() in passed}
    if answer.status_code == 204:
        return Response(status_code=204, headers=headers)
    media = answer.headers.get("content-type", "application/json")
    return Response(answer.content, status_code=answer.status_code, media_type=media,
                    headers=headers)  # fmt: skip


def _parameters(route: Route) -> list[inspect.Parameter]:
    kw = inspect.Parameter.KEYWORD_ONLY
    out = [inspect.Parameter("request", kw, annotation=Request)]
    for name, kind in route.params.items():
        out.append(inspect.Parameter(name, kw, annotation=Annotated[kind, Path()]))
    if route.body is not None:
        out.append(inspect.Parameter("body", kw, annotation=Annotated[route.body, Body()]))
    if route.query is not None:
        out.append(inspect.Parameter("query", kw, annotation=Annotated[route.query, Query()]))
    if not route.public:
        caller = Depends(require(*sorted(route.roles)))
        out.append(inspect.Parameter("principal", kw, annotation=Principal, default=caller))
        out.append(inspect.Parameter("bearer", kw, annotation=BearerToken))
    return out


def endpoint(route: Route) -> Any:
    """The FastAPI endpoint of one row."""

    async def call(**kwargs: Any) -> Response:
        params = {name: kwargs[name] for name in route.params}
        return await relay(route, kwargs["request"], kwargs.get("principal"), params,
                           kwargs.get("body"), kwargs.get("query"))  # fmt: skip

    call.__signature__ = inspect.Signature(_parameters(route))  # type: ignore[attr-defined]
    call.__name__ = f"{route.method.lower()}_{route.path.strip('/').replace('/', '_')}"
    call.__name__ = "".join(c if c.isalnum() else "_" for c in call.__name__)
    return call


def documented_errors(route: Route) -> dict[int | str, dict[str, Any]]:
    """The error answers a route can give, each with every reason code of its status."""
    statuses = {401, 422, 502, 503}  # 401: a protected route's token, a sign-in's password
    if route.limited:
        statuses.add(429)
    if not route.public:
        statuses.add(403)
    if route.body is not None:
        statuses.add(413)
    statuses |= {r.status for r in REASONS.values() if r.status in (400, 404, 409, 410)}
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted(statuses):
        codes = sorted(c for c, r in REASONS.items() if r.status == status)
        out[status] = {
            "model": Problem,
            "description": "reason: " + ", ".join(f"`{c}`" for c in codes),
        }
    return out


def router_of(routes: tuple[Route, ...]) -> APIRouter:
    router = APIRouter()
    for route in routes:
        router.add_api_route(
            route.path,
            endpoint(route),
            methods=[route.method],
            status_code=route.status,
            response_model=route.response,
            response_class=HTMLResponse if route.html else JSONResponse,
            summary=route.summary,
            tags=list(route.tags),
            responses=documented_errors(route),
        )
    return router
