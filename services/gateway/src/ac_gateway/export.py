"""`GET /v1/me/export`: everything the platform holds about the caller, from every service
that holds some, asked at once."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from ac_contracts.gateway import Export
from ac_platform.auth import Caller, Principal


async def export(request: Request, principal: Principal | None, _: Mapping[str, Any]) -> Response:
    from ac_gateway.relay import upstreams  # (relay imports this module)

    assert principal is not None
    up = upstreams(request)
    account = await up.send("identity", "GET", "/me", request)
    if account.status_code != 200:
        return Response(account.content, status_code=account.status_code,
                        media_type="application/json")  # fmt: skip
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
            *(up.send(service, "GET", path, request) for service, path in asked.values())
        )
        for name, answer in zip(asked, answers, strict=True):
            parts[name] = answer.json() if answer.status_code == 200 else None
    out = Export(exported_at=datetime.now(UTC), subject_id=principal.subject,
                 identity=account.json(), **parts)  # fmt: skip
    return JSONResponse(out.model_dump(mode="json"))
