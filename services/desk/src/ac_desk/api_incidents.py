"""Staff's (and auditors') routes of incidents [B] #17: open one, scope it from the log,
report it (the documents), close it; the list, one incident, its affected people."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from ac_contracts.incidents import (
    Affected,
    CloseIncidentBody,
    IncidentBody,
    IncidentListed,
    IncidentOut,
    ReportBody,
    ReportOut,
)
from ac_contracts.pagination import ListQuery, Page, page_of, read_cursor
from ac_desk import incident_store as sql
from ac_desk.deps import Deps, DeskDeps
from ac_desk.incident import Incident
from ac_desk.incident_report import CSP
from ac_events.catalogue import DataCategory, ReportStage
from ac_platform.auth import Caller, Principal, require

router = APIRouter(tags=["incidents"])

Staff = Depends(require(Caller.STAFF))
Reading = Depends(require(Caller.STAFF, Caller.AUDITOR))


def incident_out(i: Incident, deps: DeskDeps) -> IncidentOut:
    o, s = i.opened, i.scoped
    found = deps.incidents
    return IncidentOut(
        incident_id=o.incident_id, status=i.status, title=o.title, started_at=o.started_at,
        ended_at=o.ended_at, discovered_at=o.discovered_at, systems=list(o.systems),
        recipients=list(o.recipients), data_categories=list(o.data_categories),
        encrypted=o.encrypted, cause=o.cause, financial_harm=o.financial_harm,
        unjust_purpose=o.unjust_purpose, people=s.people if s else None,
        by_category=s.by_category if s else {}, special_care=s.special_care if s else 0,
        log_as_of=s.log_as_of if s else None, reportable=i.reportable,
        reasons=list(s.reasons) if s else [], preliminary_due=i.due(_PRE),
        final_due=i.due(_FINAL),
        reports=[ReportOut(stage=r.stage, at=r.at, document_sha256=r.document_sha256,
                           late=r.late) for r in i.reports],
        warned=sorted(i.warned), notified=len(i.notified), closed_at=i.closed_at,
        scoping=found.scoping(o.incident_id), scope_failed=found.failed.get(o.incident_id),
    )  # fmt: skip


@router.post("/incidents", status_code=201, summary="Open an incident with what is known")
async def open_incident(deps: Deps, body: IncidentBody, who: Principal = Staff) -> IncidentOut:
    return incident_out(await deps.incidents.open(body, who.subject), deps)


@router.get("/incidents", summary="Incidents, newest first")
async def incidents(
    deps: Deps, q: Annotated[ListQuery, Query()], _: Principal = Reading
) -> Page[IncidentListed]:
    key = read_cursor(q.cursor, 1)
    rows = await sql.listed(deps.db, UUID(str(key[0])) if key else None, q.limit + 1)
    return page_of(rows, q.limit, lambda r: (str(r["incident_id"]),), lambda r: IncidentListed(
        incident_id=r["incident_id"], title=r["title"], status=r["status"],
        discovered_at=r["discovered_at"], reportable=r["reportable"], people=r["people"],
        next_due=r["next_due"]))  # fmt: skip


@router.get("/incidents/{incident_id}", summary="An incident: what is known, its scope, "
            "reports, deadlines and warnings")  # fmt: skip
async def one(deps: Deps, incident_id: UUID, _: Principal = Reading) -> IncidentOut:
    return incident_out(await deps.incidents.load(incident_id), deps)


@router.post("/incidents/{incident_id}/scope", status_code=202,
             summary="Start computing who the incident touched, from the log (the audit's "
             "replay), and whether it must be reported; `scoping` until it is recorded")  # fmt: skip
async def scope(deps: Deps, incident_id: UUID, who: Principal = Staff) -> IncidentOut:
    return incident_out(await deps.incidents.request_scope(incident_id, who.subject), deps)


@router.get("/incidents/{incident_id}/people", summary="The affected people (pseudonymous ids)")
async def people(
    deps: Deps, incident_id: UUID, q: Annotated[ListQuery, Query()], _: Principal = Reading
) -> Page[Affected]:
    await deps.incidents.load(incident_id)
    key = read_cursor(q.cursor, 1)
    rows = await sql.people(deps.db, incident_id, str(key[0]) if key else None, q.limit + 1)
    return page_of(rows, q.limit, lambda r: (r["subject_id"],), lambda r: Affected(
        subject_id=r["subject_id"], data_categories=[DataCategory(c) for c in r["categories"]],
        special_care=r["special_care"]))  # fmt: skip


@router.post("/incidents/{incident_id}/reports", summary="Record the preliminary or the final "
             "report to the regulator (the document as generated now)")  # fmt: skip
async def report(
    deps: Deps, incident_id: UUID, body: ReportBody, who: Principal = Staff
) -> IncidentOut:
    return incident_out(await deps.incidents.report(incident_id, body.stage, who.subject), deps)


@router.get("/incidents/{incident_id}/report", response_class=HTMLResponse,
            summary="The report of a stage as an HTML document, with the fields of the "
            "regulator's form")  # fmt: skip
async def document(
    deps: Deps, incident_id: UUID, q: Annotated[ReportBody, Query()], _: Principal = Reading
) -> HTMLResponse:
    i = await deps.incidents.load(incident_id)
    page = deps.incidents.document(i, q.stage)
    return HTMLResponse(page, headers={"Content-Security-Policy": CSP})


@router.post("/incidents/{incident_id}/notices", summary="Notify every affected person not told "
             "yet (each once; the notifications service sends the messages)")  # fmt: skip
async def notices(deps: Deps, incident_id: UUID, _: Principal = Staff) -> IncidentOut:
    return incident_out(await deps.incidents.notify(incident_id), deps)


@router.post("/incidents/{incident_id}/close", summary="Close an incident (handled: reported "
             "when it had to be, its people notified or why not recorded)")  # fmt: skip
async def close(
    deps: Deps, incident_id: UUID, body: CloseIncidentBody, who: Principal = Staff
) -> IncidentOut:
    return incident_out(await deps.incidents.close(incident_id, body, who.subject), deps)


_PRE, _FINAL = ReportStage.PRELIMINARY, ReportStage.FINAL
