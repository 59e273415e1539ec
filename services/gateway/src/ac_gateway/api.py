"""The public API, `/v1/...`: who may call each route, and where it goes.

The gateway checks the token and the role on every route (401/403 here,
before any service is called); the service it routes to checks again, and
checks whose data it is. A person's own routes (`/v1/me/...`) take the
subject from the token, never from the request.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from ac_audit.html import CSP as REPORT_CSP
from ac_audit.report import Report
from ac_audit.subject import SubjectRecord
from ac_consent.api import (
    DecisionBody,
    DecisionOut,
    GrantBody,
    Granted,
    Notice,
    NoticeBody,
    ObjectionBody,
    Page,
    PolicyBody,
    PolicyState,
    Published,
    TransferBody,
)
from ac_consent.api import Recorded as ConsentRecorded
from ac_events.catalogue.vocab import Sha256
from ac_gateway.limits import rate_limited
from ac_gateway.upstream import Upstreams
from ac_identity.api import (
    Account,
    Correction,
    Login,
    OrganisationBody,
    OrgId,
    Reauthentication,
    RefreshBody,
    Registered,
    Registration,
    StaffMadeAccount,
    TokenPair,
    Verification,
)
from ac_matching.api import (
    ApplicationBody,
    ApplicationListed,
    ApplicationOut,
    Candidate,
    Disclosure,
    LegalDisclosureBody,
    LegalDisclosureOut,
    Match,
    Received,
    Seen,
    VacancyBody,
    VacancyOut,
)
from ac_matching.domain import SeenResume
from ac_notifications.api import (
    AlertBody,
    AlertOut,
    CampaignBody,
    CampaignOut,
    NotificationOut,
    Unsubscribed,
)
from ac_platform.auth import Caller, Principal, require
from ac_resumes.api import ResumeBody, ResumeOut


class Problem(BaseModel):
    """Every error: `{"detail": {"reason": <code>, "message": <text>}}`, or, for a malformed
    request, pydantic's list of the fields at fault."""

    detail: dict[str, Any] | list[dict[str, Any]] | str


_ERRORS = {
    status: {"model": Problem, "description": text}
    for status, text in {
        400: "bad request",
        401: "no valid token",
        403: "not for this caller",
        404: "not found (or not yours)",
        409: "conflict with the current state",
        413: "body too large",
        422: "invalid input, with the reason",
        429: "too many attempts",
        502: "a service failed",
        503: "a service is unavailable",
    }.items()
}

router = APIRouter(prefix="/v1", responses=_ERRORS)  # type: ignore[arg-type]

User = Depends(require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR))
Student = Depends(require(Caller.STUDENT))
Staff = Depends(require(Caller.STAFF))
Client = Depends(require(Caller.CLIENT))
ClientOrStaff = Depends(require(Caller.CLIENT, Caller.STAFF))
Auditing = Depends(require(Caller.AUDITOR, Caller.STAFF))
Limited = Depends(rate_limited)

AsOf = Annotated[datetime | None, Query(description="Read as the log stood at this time")]
Version = Annotated[int | None, Query(ge=0)]


def _up(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


# ---------------------------------------------------------------- accounts and tokens


@router.post("/users", status_code=201, response_model=Registered, tags=["accounts"],
             summary="Register as a student", dependencies=[Limited])  # fmt: skip
async def register(request: Request, body: Registration) -> Response:
    return await _up(request).relay("identity", "POST", "/users", request, json=body.model_dump())


@router.post("/email-verifications", response_model=Registered, tags=["accounts"],
             summary="Confirm an email address")  # fmt: skip
async def verify_email(request: Request, body: Verification) -> Response:
    return await _up(request).relay(
        "identity", "POST", "/email-verifications", request, json=body.model_dump()
    )


@router.post("/auth/login", response_model=TokenPair, tags=["auth"], summary="Log in",
             dependencies=[Limited])  # fmt: skip
async def login(request: Request, body: Login) -> Response:
    return await _up(request).relay(
        "identity", "POST", "/sessions", request, json=body.model_dump()
    )


@router.post("/auth/refresh", response_model=TokenPair, tags=["auth"],
             summary="Rotate a refresh token", dependencies=[Limited])  # fmt: skip
async def refresh(request: Request, body: RefreshBody) -> Response:
    return await _up(request).relay(
        "identity", "POST", "/sessions/refresh", request, json=body.model_dump()
    )


@router.post("/auth/logout", status_code=204, tags=["auth"], summary="Log out")
async def logout(request: Request, body: RefreshBody, _: Principal = User) -> Response:
    return await _up(request).relay(
        "identity", "POST", "/sessions/logout", request, json=body.model_dump()
    )


@router.get("/auth/jwks", tags=["auth"], summary="Public keys of access tokens")
async def jwks(request: Request) -> Response:
    return await _up(request).relay("identity", "GET", "/.well-known/jwks.json", request)


@router.get("/me", response_model=Account, tags=["me"], summary="My account")
async def me(request: Request, _: Principal = User) -> Response:
    return await _up(request).relay("identity", "GET", "/me", request)


@router.patch("/me", response_model=Account, tags=["me"], summary="Correct or add to my data")
async def correct(request: Request, body: Correction, _: Principal = User) -> Response:
    changes = body.model_dump(mode="json", exclude_unset=True)
    return await _up(request).relay("identity", "PATCH", "/me", request, json=changes)


@router.delete("/me", status_code=204, tags=["me"],
               summary="Erase me (re-authenticate with the password)")  # fmt: skip
async def erase(request: Request, body: Reauthentication, _: Principal = User) -> Response:
    return await _up(request).relay("identity", "DELETE", "/me", request, json=body.model_dump())


class Export(BaseModel):
    exported_at: datetime
    subject_id: str
    identity: dict[str, Any]
    consent: dict[str, Any] | None
    """The person's consents, their history and disclosures (students)."""
    resume: dict[str, Any] | None = None
    """Their CV (students)."""
    applications: list[dict[str, Any]] | None = None
    disclosures: list[dict[str, Any]] | None = None
    """Every provision of their data to a third party (students)."""


@router.get("/me/export", response_model=Export, tags=["me"],
            summary="Everything the platform holds about me, machine-readable")  # fmt: skip
async def export(request: Request, principal: Principal = User) -> Export:
    up = _up(request)
    account = await up.send("identity", "GET", "/me", request)
    if account.status_code != 200:
        raise HTTPException(account.status_code, account.json().get("detail"))
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
    return Export(
        exported_at=datetime.now(UTC),
        subject_id=principal.subject,
        identity=account.json(),
        consent=parts.get("consent"),
        resume=parts.get("resume"),
        applications=parts.get("applications"),
        disclosures=parts.get("disclosures"),
    )


# ---------------------------------------------------------------- a student's consents


@router.get("/me/consents", response_model=Page, tags=["consents"],
            summary="My consents, their history, and who received my data when")  # fmt: skip
async def my_consents(
    request: Request,
    as_of_time: AsOf = None,
    subject_version: Version = None,
    policies_version: Version = None,
    principal: Principal = Student,
) -> Response:
    params = {
        "as_of_time": as_of_time.isoformat() if as_of_time else None,
        "subject_version": subject_version,
        "policies_version": policies_version,
    }
    path = f"/subjects/{principal.subject}/page"
    return await _up(request).relay("consent", "GET", path, request, params=params)


@router.post("/me/consents", status_code=201, response_model=Granted, tags=["consents"],
             summary="Grant a consent")  # fmt: skip
async def grant(request: Request, body: GrantBody, principal: Principal = Student) -> Response:
    path = f"/subjects/{principal.subject}/consents"
    return await _up(request).relay(
        "consent", "POST", path, request, json=body.model_dump(mode="json")
    )


@router.delete("/me/consents/{consent_id}", response_model=ConsentRecorded, tags=["consents"],
               summary="Withdraw a consent (one call)")  # fmt: skip
async def withdraw(request: Request, consent_id: UUID, principal: Principal = Student) -> Response:
    path = f"/subjects/{principal.subject}/consents/{consent_id}"
    return await _up(request).relay("consent", "DELETE", path, request)


@router.post("/me/transfer-objections", status_code=201, response_model=ConsentRecorded,
             tags=["consents"], summary="Opt out of a business transfer")  # fmt: skip
async def object_to_transfer(
    request: Request, body: ObjectionBody, principal: Principal = Student
) -> Response:
    path = f"/subjects/{principal.subject}/transfer-objections"
    return await _up(request).relay(
        "consent", "POST", path, request, json=body.model_dump(mode="json")
    )


@router.get("/policies", response_model=PolicyState, tags=["consents"],
            summary="Policy versions and business transfers")  # fmt: skip
async def policies(request: Request, _: Principal = User) -> Response:
    return await _up(request).relay("consent", "GET", "/policies", request)


@router.get("/country-notices/{notice_sha256}", response_model=Notice, tags=["consents"],
            summary="A country notice, by hash")  # fmt: skip
async def notice(request: Request, notice_sha256: Sha256, _: Principal = User) -> Response:
    return await _up(request).relay("consent", "GET", f"/country-notices/{notice_sha256}", request)


@router.get("/organisations/{organization_id}", response_model=OrganisationBody,
            tags=["organisations"], summary="A client organisation")  # fmt: skip
async def organisation(
    request: Request, organization_id: OrgId, principal: Principal = User
) -> Response:
    if principal.role == Caller.CLIENT and principal.organization_id != organization_id:
        raise Refused("no_such_organisation", "no such organisation")
    return await _up(request).relay("identity", "GET", f"/organisations/{organization_id}", request)


# ---------------------------------------------------------------- a student's CV, matches, applications


@router.get("/me/resume", response_model=ResumeOut, tags=["resumes"], summary="My CV")
async def my_resume(request: Request, principal: Principal = Student) -> Response:
    return await _up(request).relay(
        "resumes", "GET", f"/subjects/{principal.subject}/resume", request
    )


@router.post("/me/resume", status_code=201, response_model=ResumeOut, tags=["resumes"],
             summary="Submit my CV (422 `sensitive_data` if it reveals sensitive data not volunteered)")  # fmt: skip
async def submit_resume(
    request: Request, body: ResumeBody, principal: Principal = Student
) -> Response:
    path = f"/subjects/{principal.subject}/resume"
    return await _up(request).relay(
        "resumes", "POST", path, request, json=body.model_dump(mode="json")
    )


@router.put("/me/resume", response_model=ResumeOut, tags=["resumes"], summary="Revise my CV")
async def revise_resume(
    request: Request, body: ResumeBody, principal: Principal = Student
) -> Response:
    path = f"/subjects/{principal.subject}/resume"
    return await _up(request).relay(
        "resumes", "PUT", path, request, json=body.model_dump(mode="json")
    )


@router.delete("/me/resume", status_code=204, tags=["resumes"], summary="Delete my CV")
async def delete_resume(request: Request, principal: Principal = Student) -> Response:
    path = f"/subjects/{principal.subject}/resume"
    return await _up(request).relay("resumes", "DELETE", path, request)


def _token(seen: SeenResume | None) -> dict[str, Any] | None:
    """The CV consistency token, passed on (matching answers on that CV or with a 409)."""
    if seen is None:
        return None
    return {"resume_id": str(seen.resume_id), "resume_revision": seen.revision}


@router.get("/me/matches", response_model=list[Match], tags=["matching"],
            summary="My top vacancies (with the vacancy_assessment consent)")  # fmt: skip
async def my_matches(request: Request, seen: Seen, principal: Principal = Student) -> Response:
    path = f"/subjects/{principal.subject}/matches"
    return await _up(request).relay("matching", "GET", path, request, params=_token(seen))


@router.post("/me/applications", status_code=201, response_model=ApplicationOut, tags=["matching"],
             summary="Apply: my data goes to the client only if my consent allows it")  # fmt: skip
async def apply(
    request: Request, body: ApplicationBody, seen: Seen, principal: Principal = Student
) -> Response:
    path = f"/subjects/{principal.subject}/applications"
    return await _up(request).relay(
        "matching", "POST", path, request, json=body.model_dump(mode="json"), params=_token(seen)
    )


@router.get("/me/applications", response_model=list[ApplicationListed], tags=["matching"],
            summary="My applications")  # fmt: skip
async def my_applications(request: Request, principal: Principal = Student) -> Response:
    path = f"/subjects/{principal.subject}/applications"
    return await _up(request).relay("matching", "GET", path, request)


@router.get("/me/disclosures", response_model=list[Disclosure], tags=["matching"],
            summary="Every provision of my data to a third party")  # fmt: skip
async def my_disclosures(request: Request, principal: Principal = Student) -> Response:
    path = f"/subjects/{principal.subject}/disclosures"
    return await _up(request).relay("matching", "GET", path, request)


# ---------------------------------------------------------------- vacancies


@router.get("/vacancies", response_model=list[VacancyOut], tags=["vacancies"],
            summary="Open vacancies, newest first")  # fmt: skip
async def vacancies(request: Request, _: Principal = User) -> Response:
    return await _up(request).relay("matching", "GET", "/vacancies", request)


@router.get("/vacancies/{vacancy_id}", response_model=VacancyOut, tags=["vacancies"],
            summary="A vacancy")  # fmt: skip
async def vacancy(request: Request, vacancy_id: UUID, _: Principal = User) -> Response:
    return await _up(request).relay("matching", "GET", f"/vacancies/{vacancy_id}", request)


@router.post("/vacancies", status_code=201, response_model=VacancyOut, tags=["clients"],
             summary="Post a vacancy for my organisation")  # fmt: skip
async def post_vacancy(request: Request, body: VacancyBody, _: Principal = Client) -> Response:
    return await _up(request).relay(
        "matching", "POST", "/vacancies", request, json=body.model_dump(mode="json")
    )


@router.post("/vacancies/{vacancy_id}/close", response_model=VacancyOut, tags=["clients"],
             summary="Close my organisation's vacancy")  # fmt: skip
async def close_vacancy(request: Request, vacancy_id: UUID, _: Principal = Client) -> Response:
    return await _up(request).relay("matching", "POST", f"/vacancies/{vacancy_id}/close", request)


@router.get("/vacancies/{vacancy_id}/candidates", response_model=list[Candidate], tags=["clients"],
            summary="Anonymous candidates for my vacancy")  # fmt: skip
async def candidates(request: Request, vacancy_id: UUID, _: Principal = ClientOrStaff) -> Response:
    path = f"/vacancies/{vacancy_id}/candidates"
    return await _up(request).relay("matching", "GET", path, request)


@router.get("/organisation/disclosures", response_model=list[Disclosure], tags=["clients"],
            summary="What was shared with my organisation")  # fmt: skip
async def received(request: Request, principal: Principal = Client) -> Response:
    path = f"/organisations/{principal.organization_id}/disclosures"
    return await _up(request).relay("matching", "GET", path, request)


@router.get("/organisation/disclosures/{disclosure_id}", response_model=Received, tags=["clients"],
            summary="The data shared with my organisation in one provision")  # fmt: skip
async def received_one(
    request: Request, disclosure_id: UUID, principal: Principal = Client
) -> Response:
    path = f"/organisations/{principal.organization_id}/disclosures/{disclosure_id}"
    return await _up(request).relay("matching", "GET", path, request)


# ---------------------------------------------------------------- notifications


@router.get("/me/notifications", response_model=list[NotificationOut], tags=["notifications"],
            summary="What was sent to me, when (no addresses)")  # fmt: skip
async def my_notifications(request: Request, principal: Principal = User) -> Response:
    path = f"/subjects/{principal.subject}/notifications"
    return await _up(request).relay("notifications", "GET", path, request)


@router.get("/me/alerts", response_model=list[AlertOut], tags=["notifications"],
            summary="My job alerts")  # fmt: skip
async def my_alerts(request: Request, principal: Principal = User) -> Response:
    return await _up(request).relay(
        "notifications", "GET", f"/subjects/{principal.subject}/alerts", request
    )


@router.post("/me/alerts", status_code=201, response_model=AlertOut, tags=["notifications"],
             summary="Subscribe to job alerts (sent only with the cv_and_job_alerts consent)")  # fmt: skip
async def subscribe_alert(
    request: Request, body: AlertBody, principal: Principal = Student
) -> Response:
    path = f"/subjects/{principal.subject}/alerts"
    return await _up(request).relay("notifications", "POST", path, request, json=body.model_dump())


@router.delete("/me/alerts/{subscription_id}", status_code=204, tags=["notifications"],
               summary="End a job alert")  # fmt: skip
async def end_alert(
    request: Request, subscription_id: UUID, principal: Principal = Student
) -> Response:
    path = f"/subjects/{principal.subject}/alerts/{subscription_id}"
    return await _up(request).relay("notifications", "DELETE", path, request)


@router.get("/unsubscribe", response_model=Unsubscribed, tags=["notifications"],
            summary="An unsubscribe link from an email: withdraws that consent")  # fmt: skip
async def unsubscribe(
    request: Request, token: Annotated[str, Query(min_length=10, max_length=1000)]
) -> Response:
    return await _up(request).relay(
        "notifications", "GET", "/unsubscribe", request, params={"token": token}
    )


# ---------------------------------------------------------------- staff


@router.post("/campaigns", status_code=201, response_model=CampaignOut, tags=["staff"],
             summary="A marketing or promotion campaign (opt-in consent only)")  # fmt: skip
async def campaign(request: Request, body: CampaignBody, _: Principal = Staff) -> Response:
    return await _up(request).relay(
        "notifications", "POST", "/campaigns", request, json=body.model_dump()
    )


@router.post("/organisations", status_code=201, response_model=OrganisationBody, tags=["staff"],
             summary="Register a client organisation")  # fmt: skip
async def register_organisation(
    request: Request, body: OrganisationBody, _: Principal = Staff
) -> Response:
    return await _up(request).relay(
        "identity", "POST", "/organisations", request, json=body.model_dump()
    )


@router.post("/accounts", status_code=201, response_model=Registered, tags=["staff"],
             summary="Create a client, staff or auditor account")  # fmt: skip
async def create_account(
    request: Request, body: StaffMadeAccount, _: Principal = Staff
) -> Response:
    return await _up(request).relay(
        "identity", "POST", "/accounts", request, json=body.model_dump()
    )


@router.post("/policies", status_code=201, response_model=Published, tags=["staff"],
             summary="Publish a policy version")  # fmt: skip
async def publish_policy(request: Request, body: PolicyBody, _: Principal = Staff) -> Response:
    return await _up(request).relay(
        "consent", "POST", "/policies", request, json=body.model_dump(mode="json")
    )


@router.post("/transfers", status_code=201, tags=["staff"], summary="Announce a business transfer")
async def announce_transfer(request: Request, body: TransferBody, _: Principal = Staff) -> Response:
    return await _up(request).relay(
        "consent", "POST", "/transfers", request, json=body.model_dump(mode="json")
    )


@router.post("/country-notices", status_code=201, response_model=Notice, tags=["staff"],
             summary="Publish a country notice")  # fmt: skip
async def publish_notice(request: Request, body: NoticeBody, _: Principal = Staff) -> Response:
    return await _up(request).relay(
        "consent", "POST", "/country-notices", request, json=body.model_dump()
    )


@router.post("/legal-disclosures", status_code=201, response_model=LegalDisclosureOut,
             tags=["staff"], summary="Disclose a person's data on a legal basis (APPI art. 27(1))")  # fmt: skip
async def legal_disclosure(
    request: Request, body: LegalDisclosureBody, _: Principal = Staff
) -> Response:
    return await _up(request).relay(
        "matching", "POST", "/legal-disclosures", request, json=body.model_dump(mode="json")
    )


# ---------------------------------------------------------------- auditors (read-only)


AuditSubject = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
TimelineOf = Annotated[
    str | None, Query(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
]


@router.get("/audit/checks", response_model=Report, tags=["audit"],
            summary="Replay the log and run every audit rule")  # fmt: skip
async def audit_checks(
    request: Request, until: AsOf = None, subject: TimelineOf = None, _: Principal = Auditing
) -> Response:
    params = {"until": until.isoformat() if until else None, "subject": subject}
    return await _up(request).relay("audit", "GET", "/audit/checks", request, params=params)


@router.get("/audit/report", tags=["audit"], response_class=HTMLResponse,
            summary="The audit report as one self-contained HTML page")  # fmt: skip
async def audit_report(
    request: Request, until: AsOf = None, subject: TimelineOf = None, _: Principal = Auditing
) -> Response:
    params = {"until": until.isoformat() if until else None, "subject": subject}
    page = await _up(request).relay("audit", "GET", "/audit/report", request, params=params)
    page.headers["Content-Security-Policy"] = REPORT_CSP
    return page


@router.get("/audit/subjects/{subject_id}/record", response_model=SubjectRecord, tags=["audit"],
            summary="Everything about one person as of a time, from the log alone")  # fmt: skip
async def audit_subject(
    request: Request, subject_id: AuditSubject, as_of_time: AsOf = None, _: Principal = Auditing
) -> Response:
    params = {"as_of": as_of_time.isoformat() if as_of_time else None}
    return await _up(request).relay(
        "audit", "GET", f"/audit/subjects/{subject_id}", request, params=params
    )


@router.get("/audit/subjects/{subject_id}/disclosures", response_model=list[Disclosure],
            tags=["audit"], summary="Every provision of a person's data")  # fmt: skip
async def audit_disclosures(
    request: Request,
    subject_id: Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")],
    _: Principal = Auditing,
) -> Response:
    return await _up(request).relay(
        "matching", "GET", f"/subjects/{subject_id}/disclosures", request
    )


@router.get("/audit/subjects/{subject_id}/consents", response_model=Page, tags=["audit"],
            summary="A person's consents and disclosures, as of any time or position")  # fmt: skip
async def audit_consents(
    request: Request,
    subject_id: Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")],
    as_of_time: AsOf = None,
    subject_version: Version = None,
    policies_version: Version = None,
    _: Principal = Auditing,
) -> Response:
    params = {
        "as_of_time": as_of_time.isoformat() if as_of_time else None,
        "subject_version": subject_version,
        "policies_version": policies_version,
    }
    path = f"/subjects/{subject_id}/page"
    return await _up(request).relay("consent", "GET", path, request, params=params)


@router.post("/audit/decisions", response_model=DecisionOut, tags=["audit"],
             summary="Was (or is) this flow allowed? As of a time or position")  # fmt: skip
async def audit_decision(request: Request, body: DecisionBody, _: Principal = Auditing) -> Response:
    return await _up(request).relay(
        "consent", "POST", "/decisions", request, json=body.model_dump(mode="json")
    )
