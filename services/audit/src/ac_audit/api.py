"""The audit's read-only HTTP endpoints, for auditors (and staff) through the gateway.

Each call replays the log from Kafka (one replay at a time per replica): the
answer rests on the log alone, never on a service's database.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from ac_audit import html
from ac_audit.audit import audit, read_log
from ac_audit.report import Report
from ac_audit.settings import AuditSettings
from ac_audit.subject import SubjectRecord, subject_record
from ac_events.keyring import Keyring
from ac_platform.auth import Caller, Principal, require
from ac_platform.service import resources

router = APIRouter()
Auditing = Depends(require(Caller.AUDITOR, Caller.STAFF))
SubjectId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
Until = Annotated[datetime | None, Query(description="Replay only what was recorded by then")]
One = Annotated[
    str | None,
    Query(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$",
          description="Add this person's timeline to the report"),
]  # fmt: skip
_replaying = asyncio.Lock()


async def _report(request: Request, until: datetime | None, subject: str | None) -> Report:
    res = resources(request)
    settings: AuditSettings = res.settings  # type: ignore[assignment]
    keyring: Keyring = res.extras["keyring"]  # type: ignore[assignment]
    async with _replaying:
        state = await read_log(
            settings.kafka_bootstrap_servers or "", settings.topic_prefix, until=until,
            subject=subject,
        )  # fmt: skip
    return await audit(state, keyring, until=until, grace=timedelta(seconds=settings.grace_s))


@router.get("/audit/checks", tags=["audit"], summary="Replay the log and run every rule (JSON)")
async def checks(
    request: Request, until: Until = None, subject: One = None, _: Principal = Auditing
) -> Report:
    return await _report(request, until, subject)


@router.get("/audit/report", tags=["audit"], response_class=HTMLResponse,
            summary="The same report as one self-contained HTML page")  # fmt: skip
async def report_page(
    request: Request, until: Until = None, subject: One = None, _: Principal = Auditing
) -> HTMLResponse:
    page = html.render(await _report(request, until, subject))
    return HTMLResponse(page, headers={"Content-Security-Policy": html.CSP})


@router.get("/audit/subjects/{subject_id}", tags=["audit"],
            summary="Everything about one person as of a time, from the log alone")  # fmt: skip
async def subject(
    request: Request,
    subject_id: SubjectId,
    as_of: Annotated[datetime | None, Query(description="As the log stood then")] = None,
    _: Principal = Auditing,
) -> SubjectRecord:
    res = resources(request)
    settings: AuditSettings = res.settings  # type: ignore[assignment]
    keyring: Keyring = res.extras["keyring"]  # type: ignore[assignment]
    async with _replaying:
        state = await read_log(
            settings.kafka_bootstrap_servers or "", settings.topic_prefix, subject=subject_id
        )
    if not state.kept:
        raise Refused("no_such_subject", "nobody by that id")
    return await subject_record(state, keyring, as_of)
