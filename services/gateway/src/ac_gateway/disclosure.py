"""`GET /v1/me/requests/{id}/disclosure`: everything the platform holds about the caller, from
every service that holds some, asked at once, with every record of its provision to third
parties: the answer to a disclosure request, once the desk says its step-up verification
passed and it is still available (the desk's `disclosure-grant`). Each list is read to its
last page."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from ac_contracts.gateway import Disclosure
from ac_contracts.pagination import MAX_LIMIT
from ac_gateway.upstream import Upstreams
from ac_platform.auth import Caller, Principal

LISTS = frozenset({"applications", "disclosures"})
"""The parts that are lists (pages of `ac_contracts.pagination.Page`)."""


async def every_page(up: Upstreams, service: str, path: str, request: Request) -> Any:
    """All the items of a list route, page after page; None if a page fails."""
    items: list[Any] = []
    params: dict[str, Any] = {"limit": MAX_LIMIT}
    while True:
        answer = await up.send(service, "GET", path, request, params=params)
        if answer.status_code != 200:
            return None
        page = answer.json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        params = {"limit": MAX_LIMIT, "cursor": page["next_cursor"]}


async def _part(up: Upstreams, name: str, service: str, path: str, request: Request) -> Any:
    if name in LISTS:
        return await every_page(up, service, path, request)
    answer = await up.send(service, "GET", path, request)
    return answer.json() if answer.status_code == 200 else None


def _passed(answer: Any) -> Response:
    return Response(answer.content, status_code=answer.status_code, media_type="application/json")


async def disclosure(
    request: Request, principal: Principal | None, params: Mapping[str, Any]
) -> Response:
    from ac_gateway.relay import upstreams

    assert principal is not None
    up = upstreams(request)
    grant_path = f"/subjects/{principal.subject}/requests/{params['request_id']}/disclosure-grant"
    grant = await up.send("desk", "GET", grant_path, request)
    if grant.status_code != 200:
        return _passed(grant)
    account = await up.send("identity", "GET", "/me", request)
    if account.status_code != 200:
        return _passed(account)
    parts: dict[str, Any] = {}
    if principal.role == Caller.STUDENT:
        subject = f"/subjects/{principal.subject}"
        asked = {
            "consent": ("consent", f"{subject}/page"),
            "resume": ("resumes", f"{subject}/resume"),
            "applications": ("matching", f"{subject}/applications"),
            "disclosures": ("matching", f"{subject}/disclosures"),
        }
        answers = await asyncio.gather(
            *(_part(up, name, service, path, request) for name, (service, path) in asked.items())
        )
        parts = dict(zip(asked, answers, strict=True))
    requests = await every_page(up, "desk", f"/subjects/{principal.subject}/requests", request)
    g = grant.json()
    out = Disclosure(exported_at=datetime.now(UTC), subject_id=principal.subject,
                     identity=account.json(), request_id=g["request_id"],
                     available_until=g["available_until"],
                     requests=requests,
                     **parts)  # fmt: skip
    return JSONResponse(out.model_dump(mode="json"))
