"""A browser's session: the refresh token in a cookie the page's scripts cannot read.

`POST /v1/auth/session` signs in and answers the access token only; the refresh
token goes into an `HttpOnly`, `SameSite=Strict` cookie (`Secure` over https),
sent back only to these routes (its `Path`). `POST /v1/auth/session/refresh`
rotates it (identity's rotation: a reused token signs the whole family out) and
answers a new access token; `DELETE /v1/auth/session` revokes it and clears the
cookie. A request whose `Origin` is not one of the frontends the gateway serves
(`GATEWAY_CORS_ORIGINS`) is refused before the cookie is used, beside SameSite.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from ac_contracts.errors import Refused
from ac_contracts.gateway import Session
from ac_contracts.identity import Login
from ac_platform.auth import Principal

COOKIE = "ac_refresh"
COOKIE_PATH = "/v1/auth/session"
REFRESH_TTL_S = 30 * 24 * 3600
"""The cookie's lifetime; identity's own expiry of the token rules (a stale cookie is 401)."""


def _check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    allowed = request.app.state.cors_origins
    if origin is not None and origin not in allowed:
        raise Refused("forbidden", "this origin may not use the session cookie")


def _answer(request: Request, upstream: Any) -> Response:
    """Identity's token pair as a `Session` answer, its refresh token as the cookie."""
    if upstream.status_code != 200:
        response = Response(upstream.content, status_code=upstream.status_code,
                            media_type="application/json")  # fmt: skip
        if upstream.status_code == 401:
            _clear(response, request)
        return response
    pair = upstream.json()
    out = Session(access_token=pair["access_token"], expires_in=pair["expires_in"],
                  subject_id=pair["subject_id"], role=pair["role"])  # fmt: skip
    response = JSONResponse(out.model_dump(mode="json"), headers={"Cache-Control": "no-store"})
    response.set_cookie(
        COOKIE,
        pair["refresh_token"],
        max_age=REFRESH_TTL_S,
        path=COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response


def _clear(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=request.url.scheme == "https",
                           httponly=True, samesite="strict")  # fmt: skip


async def open_session(request: Request, _: Principal | None, __: Mapping[str, Any]) -> Response:
    from ac_gateway.relay import upstreams

    _check_origin(request)
    login = Login.model_validate(await request.json())  # validated by the route already
    answer = await upstreams(request).send(
        "identity", "POST", "/sessions", request, json=login.model_dump()
    )
    return _answer(request, answer)


async def refresh_session(request: Request, _: Principal | None, __: Mapping[str, Any]) -> Response:
    from ac_gateway.relay import upstreams

    _check_origin(request)
    token = request.cookies.get(COOKIE)
    if not token:
        raise Refused("invalid_refresh_token", "no session: sign in")
    answer = await upstreams(request).send(
        "identity", "POST", "/sessions/refresh", request, json={"refresh_token": token}
    )
    return _answer(request, answer)


async def close_session(request: Request, _: Principal | None, __: Mapping[str, Any]) -> Response:
    from ac_gateway.relay import upstreams

    _check_origin(request)
    token = request.cookies.get(COOKIE)
    if token:
        await upstreams(request).send(
            "identity", "POST", "/sessions/logout", request, json={"refresh_token": token}
        )
    response = Response(status_code=204)
    _clear(response, request)
    return response
