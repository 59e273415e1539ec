"""The audit's read-only HTTP endpoints, for auditors (and staff) through the gateway.

Each call replays the log from Kafka (one replay at a time per replica): the
answer rests on the log alone, never on a service's database.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from ac_audit import html
from ac_audit.affected import affected
from ac_audit.audit import audit, read_log
from ac_audit.deps import AuditDeps, Deps
from ac_audit.monitoring import monitoring_report
from ac_audit.state import LogState
from ac_audit.subject import subject_record
from ac_contracts.audit import AuditQuery, RecordQuery, Report, SubjectRecord
from ac_contracts.common import SubjectId
from ac_contracts.errors import Refused
from ac_contracts.incidents import Scope, ScopeQuery
from ac_contracts.monitoring import MonitoringReport
from ac_events.keyring import CachedKeyring
from ac_platform.auth import Caller, Principal, require

router = APIRouter()
Auditing = Depends(require(Caller.AUDITOR, Caller.STAFF))
Asked = Annotated[AuditQuery, Query()]
Scoping = Depends(require(Caller.AUDITOR, Caller.STAFF, Caller.SERVICE))


def _forget_erased(deps: AuditDeps, state: LogState) -> None:
    """The replay saw these erasures: no cached key of theirs may be read from now on (the
    audit would otherwise find an erased person's key "still there", from its own cache)."""
    if isinstance(deps.keyring, CachedKeyring):
        for subject in state.erased_at:
            deps.keyring.forget(subject)


async def _report(deps: AuditDeps, q: AuditQuery) -> Report:
    settings = deps.settings
    async with deps.replaying:
        state = await read_log(
            settings.kafka_bootstrap_servers or "", settings.topic_prefix, until=q.until,
            subject=q.subject,
        )  # fmt: skip
    _forget_erased(deps, state)
    grace, within = timedelta(seconds=settings.grace_s), timedelta(seconds=settings.notice_within_s)
    return await audit(state, deps.keyring, until=q.until, grace=grace, notice_within=within)


@router.get("/audit/checks", tags=["audit"], summary="Replay the log and run every rule (JSON)")
async def checks(deps: Deps, query: Asked, _: Principal = Auditing) -> Report:
    return await _report(deps, query)


@router.get("/audit/report", tags=["audit"], response_class=HTMLResponse,
            summary="The same report as one self-contained HTML page")  # fmt: skip
async def report_page(deps: Deps, query: Asked, _: Principal = Auditing) -> HTMLResponse:
    page = html.render(await _report(deps, query))
    return HTMLResponse(page, headers={"Content-Security-Policy": html.CSP})


@router.get("/audit/subjects/{subject_id}", tags=["audit"],
            summary="Everything about one person as of a time, from the log alone")  # fmt: skip
async def subject(
    deps: Deps,
    subject_id: SubjectId,
    query: Annotated[RecordQuery, Query()],
    _: Principal = Auditing,
) -> SubjectRecord:
    settings = deps.settings
    async with deps.replaying:
        state = await read_log(
            settings.kafka_bootstrap_servers or "", settings.topic_prefix, subject=subject_id
        )
    _forget_erased(deps, state)
    if not state.kept:
        raise Refused("no_such_subject", "nobody by that id")
    return await subject_record(state, deps.keyring, query.as_of_time)


@router.get("/audit/monitoring", tags=["audit"],
            summary="Applications and their outcomes by gender and by school type, "
            "anonymised: no cell under k people, counts rounded")  # fmt: skip
async def monitoring(deps: Deps, _: Principal = Auditing) -> MonitoringReport:
    """[E] #18, purpose 12: of the people whose consent allows it; takes no subject, no time."""
    settings = deps.settings
    async with deps.replaying:
        state = await read_log(settings.kafka_bootstrap_servers or "", settings.topic_prefix)
    _forget_erased(deps, state)
    return await monitoring_report(state, deps.keyring, k=settings.monitoring_k,
                                   step=settings.monitoring_step)  # fmt: skip


@router.post("/audit/scopes", tags=["audit"],
             summary="Who an incident touched: everyone whose data of those categories was "
             "provided to those recipients in the window, from the log alone")  # fmt: skip
async def scope(
    deps: Deps,
    body: ScopeQuery,
    _: Principal = Scoping,
) -> Scope:
    """[B] #17: the desk asks it (as a service) when staff scope an incident."""
    settings = deps.settings
    async with deps.replaying:
        state = await read_log(settings.kafka_bootstrap_servers or "", settings.topic_prefix)
    return affected(state, body)
