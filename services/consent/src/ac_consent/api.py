"""HTTP routes of the consent service -> commands, decisions and reads.

Who may call what (the token's role, see `ac_platform.auth`):
- a person's own consents, withdrawals and transfer objections: that person only;
- policy versions, business transfers, country notices: staff;
- decisions: services, staff and auditors, and a person about themself;
  a legal-basis decision is lawful only for staff (or a service acting for staff);
- a person's page and as-of reads: that person, staff, auditors, services.

Every refusal is a 4xx with `{"detail": {"reason": <code>, "message": <text>}}`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ac_consent import store as sql
from ac_consent.commands import handle, record_policy_events
from ac_consent.domain import (
    Command,
    Consent,
    ConsentRuleError,
    FlowRequest,
    Grant,
    ObjectToTransfer,
    Policies,
    Withdraw,
    decide_flow,
)
from ac_consent.settings import ConsentSettings
from ac_consent.views import (
    NOTICE_STREAM,
    Ask,
    Decider,
    PolicyCache,
    PositionedDecision,
    UnknownRecipients,
    as_of,
    load_policies,
)
from ac_events.catalogue import (
    BusinessTransferAnnounced,
    CountryNoticePublished,
    DataCategory,
    DecisionReason,
    LegalBasis,
    PolicyPublished,
    Purpose,
    PurposeChange,
    Recipient,
    Region,
    SensitiveCategory,
    ViewPosition,
)
from ac_events.catalogue.vocab import Sha256
from ac_events.store import EventStore
from ac_platform.auth import Caller, Principal, acting_for, require
from ac_platform.service import refuse, resources

router = APIRouter()

MAX_BATCH = 10_000
SubjectId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]

Person = Depends(require(Caller.STUDENT))
Withdrawer = Depends(require(Caller.STUDENT, Caller.SERVICE))
"""Withdrawing only ever narrows what may flow: the person, or a service acting on their
unsubscribe link (`ConsentSettings.withdrawing_services`)."""
Staff = Depends(require(Caller.STAFF))
Reader = Depends(require(Caller.STUDENT, Caller.STAFF, Caller.AUDITOR, Caller.SERVICE))
Asker = Depends(require(Caller.SERVICE, Caller.STAFF, Caller.AUDITOR, Caller.STUDENT))
Anyone = Depends(
    require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR, Caller.SERVICE)
)


def _events(request: Request) -> EventStore:
    events: EventStore = resources(request).extras["store"]  # type: ignore[assignment]
    return events


def _cache(request: Request) -> PolicyCache:
    cache: PolicyCache = resources(request).extras["policies"]  # type: ignore[assignment]
    return cache


def _decider(request: Request) -> Decider:
    decider: Decider = resources(request).extras["decider"]  # type: ignore[assignment]
    return decider


def _own(principal: Principal, subject_id: str) -> None:
    if principal.subject != subject_id:
        raise refuse(403, "not_your_consent", "a person's consents are theirs alone to change")


def _may_read(principal: Principal, subject_id: str) -> None:
    if principal.role == Caller.STUDENT and principal.subject != subject_id:
        raise refuse(403, "not_your_data", "a person may read only their own consents")


def _rule_error(exc: ConsentRuleError) -> HTTPException:
    status = 409 if exc.code in {"erased", "opt_out_closed"} else 422
    return refuse(status, exc.code, str(exc))


# ---------------------------------------------------------------- a person's commands


class GrantBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: Purpose
    recipient: Recipient = "*"
    """An organisation id, or `*` (inside the company; never a third party)."""
    region: Region = "JP"
    data_categories: list[DataCategory] = Field(default_factory=list, max_length=20)
    sensitive_categories: list[SensitiveCategory] = Field(default_factory=list, max_length=20)
    """Special care-required categories this consent names (to acquire or share them)."""
    policy_version: str = Field(min_length=1, max_length=40)
    """The privacy policy version the person was shown."""
    country_notice_sha256: Sha256 | None = None
    """The country notice the person was shown: required outside JP."""
    channel: str = Field(default="web", max_length=40, pattern=r"^[a-z_]+$")


class Recorded(BaseModel):
    event_ids: list[UUID]
    position: ViewPosition


class Granted(Recorded):
    consent_id: UUID


async def _handle(request: Request, subject_id: str, command: Command) -> Recorded:
    try:
        handled = await handle(_events(request), subject_id, command)
    except ConsentRuleError as exc:
        raise _rule_error(exc) from exc
    return Recorded(event_ids=handled.event_ids, position=handled.position)


@router.post(
    "/subjects/{subject_id}/consents",
    status_code=201,
    tags=["consents"],
    summary="Grant a consent (the person themself)",
)
async def grant(
    request: Request, subject_id: SubjectId, body: GrantBody, principal: Principal = Person
) -> Granted:
    _own(principal, subject_id)
    command = Grant(
        consent_id=uuid4(),
        purpose=body.purpose,
        recipient=body.recipient,
        region=body.region,
        data_categories=tuple(dict.fromkeys(body.data_categories)),
        sensitive_categories=tuple(dict.fromkeys(body.sensitive_categories)),
        policy_version=body.policy_version,
        country_notice_sha256=body.country_notice_sha256,
        channel=body.channel,
    )
    recorded = await _handle(request, subject_id, command)
    return Granted(consent_id=command.consent_id, **recorded.model_dump())


@router.delete(
    "/subjects/{subject_id}/consents/{consent_id}",
    tags=["consents"],
    summary="Withdraw a consent: one call, effective for every decision made after it returns",
)
async def withdraw(
    request: Request, subject_id: SubjectId, consent_id: UUID, principal: Principal = Withdrawer
) -> Recorded:
    settings: ConsentSettings = resources(request).settings  # type: ignore[assignment]
    if principal.role != Caller.SERVICE:
        _own(principal, subject_id)
    elif principal.subject not in settings.withdrawing_services:
        raise refuse(403, "forbidden", "this service may not withdraw consents")
    return await _handle(request, subject_id, Withdraw(consent_id))


class ObjectionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    transfer_id: UUID


@router.post(
    "/subjects/{subject_id}/transfer-objections",
    status_code=201,
    tags=["consents"],
    summary="Opt out of an announced business transfer",
)
async def object_to_transfer(
    request: Request, subject_id: SubjectId, body: ObjectionBody, principal: Principal = Person
) -> Recorded:
    _own(principal, subject_id)
    command = ObjectToTransfer(body.transfer_id, datetime.now(UTC))
    return await _handle(request, subject_id, command)


# ---------------------------------------------------------------- staff


class PolicyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    policy_version: str = Field(min_length=1, max_length=40)
    effective_at: datetime
    changes: list[PurposeChange] = Field(default_factory=list)
    """Per purpose: changed or not, significant (needs a new choice) or not."""
    text_sha256: Sha256


class Published(BaseModel):
    event_id: UUID


@router.post("/policies", status_code=201, tags=["staff"], summary="Publish a policy version")
async def publish_policy(request: Request, body: PolicyBody, _: Principal = Staff) -> Published:
    policies = await _policies(request)
    if body.policy_version in policies.ranks:
        raise refuse(409, "policy_version_exists", f"{body.policy_version!r} is already published")
    event = PolicyPublished(**body.model_dump())
    [event_id] = await record_policy_events(_events(request), [event])
    return Published(event_id=event_id)


class TransferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    acquirer: Recipient
    acquirer_name: str = Field(min_length=1, max_length=200)
    purposes: list[Purpose] = Field(min_length=1)
    opt_out_deadline: datetime


class Announced(Published):
    transfer_id: UUID


@router.post("/transfers", status_code=201, tags=["staff"], summary="Announce a business transfer")
async def announce_transfer(
    request: Request, body: TransferBody, _: Principal = Staff
) -> Announced:
    if body.opt_out_deadline <= datetime.now(UTC):
        raise refuse(422, "deadline_passed", "the opt-out deadline must be in the future")
    transfer_id = uuid4()
    event = BusinessTransferAnnounced(transfer_id=transfer_id, **body.model_dump())
    [event_id] = await record_policy_events(_events(request), [event])
    return Announced(event_id=event_id, transfer_id=transfer_id)


class NoticeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: Region
    country_name: str = Field(min_length=1, max_length=200)
    protection_system: str = Field(min_length=1, max_length=20_000)
    """Information on the country's system for the protection of personal information."""
    recipient_measures: str = Field(min_length=1, max_length=20_000)
    """The measures the recipient takes to protect personal information."""

    def sha256(self) -> str:
        return hashlib.sha256(
            orjson.dumps(self.model_dump(), option=orjson.OPT_SORT_KEYS)
        ).hexdigest()


class Notice(NoticeBody):
    notice_sha256: Sha256


@router.post(
    "/country-notices",
    status_code=201,
    tags=["staff"],
    summary="Publish a country notice (stored by the SHA-256 of its content)",
)
async def publish_notice(request: Request, body: NoticeBody, _: Principal = Staff) -> Notice:
    digest = body.sha256()
    async with resources(request).db.acquire() as conn:
        known = await sql.country_notice(conn, digest)
    if known is None:
        event = CountryNoticePublished(notice_sha256=digest, **body.model_dump())
        await record_policy_events(_events(request), [event], NOTICE_STREAM)
    return Notice(notice_sha256=digest, **body.model_dump())


@router.get(
    "/country-notices/{notice_sha256}", tags=["consents"], summary="A country notice, by hash"
)
async def get_notice(request: Request, notice_sha256: Sha256, _: Principal = Anyone) -> Notice:
    async with resources(request).db.acquire() as conn:
        row = await sql.country_notice(conn, notice_sha256)
    if row is None:
        raise refuse(404, "unknown_country_notice", "no country notice with that hash")
    return Notice(**{k: row[k] for k in Notice.model_fields})


async def _policies(request: Request) -> Policies:
    async with resources(request).db.acquire() as conn:
        return await load_policies(conn)


class TransferOut(BaseModel):
    transfer_id: UUID
    acquirer: str
    purposes: list[Purpose]
    opt_out_deadline: datetime


class PolicyState(BaseModel):
    versions: list[str]
    """In publication order."""
    significant_since: dict[Purpose, str]
    """Per purpose, the version whose change made earlier consents insufficient."""
    transfers: list[TransferOut]


@router.get("/policies", tags=["consents"], summary="Published policy versions and transfers")
async def get_policies(request: Request, _: Principal = Anyone) -> PolicyState:
    p = await _policies(request)
    order = sorted(p.ranks, key=p.ranks.__getitem__)
    return PolicyState(
        versions=order,
        significant_since={purpose: order[rank] for purpose, rank in p.significant_since.items()},
        transfers=[
            TransferOut(
                transfer_id=t.transfer_id,
                acquirer=t.acquirer,
                purposes=sorted(t.purposes),
                opt_out_deadline=t.opt_out_deadline,
            )
            for t in p.transfers.values()
        ],
    )


# ---------------------------------------------------------------- decisions


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject_id: SubjectId
    purpose: Purpose
    recipient: Recipient
    region: Region
    data_categories: list[DataCategory] = Field(default_factory=list, max_length=20)
    sensitive_categories: list[SensitiveCategory] = Field(default_factory=list, max_length=20)
    legal_basis: LegalBasis | None = None
    legal_reference: str | None = Field(default=None, min_length=1, max_length=200)
    """A court order number or request id; required with a legal basis."""
    as_of: datetime | None = None
    """Decide as the log stood at this time (auditors), instead of now."""
    position: ViewPosition | None = None
    """Decide as the log stood at this view position (auditors), instead of now."""

    @model_validator(mode="after")
    def _reference_with_basis(self) -> DecisionBody:
        if self.legal_basis is not None and not self.legal_reference:
            raise ValueError("a legal basis needs its reference (court order, request id)")
        return self

    def flow(self, by_staff: bool) -> FlowRequest:
        return FlowRequest(
            purpose=self.purpose,
            recipient=self.recipient,
            region=self.region,
            data_categories=frozenset(self.data_categories),
            sensitive_categories=frozenset(self.sensitive_categories),
            legal_basis=self.legal_basis,
            legal_reference=self.legal_reference,
            by_staff=by_staff,
        )


class DecisionOut(BaseModel):
    decision: Literal["allow", "deny"]
    reason: DecisionReason
    consent_event_ids: list[UUID]
    position: ViewPosition


class BatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requests: list[DecisionBody] = Field(min_length=1, max_length=MAX_BATCH)


class BatchOut(BaseModel):
    decisions: list[DecisionOut]


def _out(d: PositionedDecision) -> dict[str, Any]:
    """The answer as orjson serialises it (UUIDs natively): the hot path skips pydantic."""
    return {
        "decision": "allow" if d.decision.allow else "deny",
        "reason": d.decision.reason,
        "consent_event_ids": d.decision.consent_event_ids,
        "position": {
            "subject_version": d.position.subject_version,
            "policies_version": d.position.policies_version,
        },
    }


async def _by_staff(request: Request, principal: Principal) -> bool:
    if principal.role == Caller.STAFF:
        return True
    if principal.role == Caller.SERVICE:
        acting = await acting_for(request)
        return acting is not None and acting.role == Caller.STAFF
    return False


async def _decide(
    request: Request, principal: Principal, bodies: list[DecisionBody]
) -> list[dict[str, Any]]:
    if principal.role == Caller.STUDENT and any(b.subject_id != principal.subject for b in bodies):
        raise refuse(403, "not_your_data", "a person may ask only about their own data")
    by_staff = await _by_staff(request, principal)
    now = [i for i, b in enumerate(bodies) if b.as_of is None and b.position is None]
    out: list[dict[str, Any]] = [{} for _ in bodies]
    if now:
        asks = [Ask(bodies[i].subject_id, bodies[i].flow(by_staff)) for i in now]
        try:
            decided = await _decider(request).decide(asks)
        except UnknownRecipients as exc:
            bad = [now[i] for i in exc.indexes]
            raise refuse(
                422, "unknown_recipient", f"no such recipient organisation in request(s) {bad}"
            ) from exc
        for i, d in zip(now, decided, strict=True):
            out[i] = _out(d)
    for i, b in enumerate(bodies):
        if not out[i]:
            out[i] = _out(await _decide_from_log(request, b, by_staff))
    return out


async def _decide_from_log(request: Request, b: DecisionBody, by_staff: bool) -> PositionedDecision:
    recorded = await as_of(
        _events(request),
        b.subject_id,
        at=b.as_of,
        subject_version=b.position.subject_version if b.position else None,
        policies_version=b.position.policies_version if b.position else None,
    )
    decision = decide_flow(recorded.policies, recorded.person, b.flow(by_staff))
    return PositionedDecision(decision, recorded.position)


def _json(content: Any) -> Response:
    return Response(orjson.dumps(content, default=str), media_type="application/json")


@router.post(
    "/decisions",
    tags=["decisions"],
    summary="May this flow of a person's data happen (now, or as of a time or position)?",
    response_model=DecisionOut,
)
async def decide(request: Request, body: DecisionBody, principal: Principal = Asker) -> Response:
    with request.app.state.metrics.decision_seconds.labels("single").time():
        [out] = await _decide(request, principal, [body])
    return _json(out)


@router.post(
    "/decisions/batch",
    tags=["decisions"],
    summary=f"Many decisions on one snapshot (at most {MAX_BATCH})",
    response_model=BatchOut,
)
async def decide_batch(request: Request, body: BatchBody, principal: Principal = Asker) -> Response:
    with request.app.state.metrics.decision_seconds.labels("batch").time():
        decided = await _decide(request, principal, body.requests)
    return _json({"decisions": decided})


# ---------------------------------------------------------------- a person's page


class ConsentOut(BaseModel):
    consent_id: UUID
    event_id: UUID
    purpose: Purpose
    recipient: str
    region: str
    data_categories: list[DataCategory]
    sensitive_categories: list[SensitiveCategory]
    policy_version: str
    since: datetime
    status: Literal["active", "reconsent_required", "withdrawn"]
    withdrawn_event_id: UUID | None = None


class HistoryItem(BaseModel):
    event_id: UUID
    type: str
    at: datetime
    detail: dict[str, Any]


class DisclosureOut(BaseModel):
    disclosure_id: UUID
    shared_at: datetime
    purpose: Purpose
    organization_id: str
    recipient_legal_name: str
    recipient_country: str
    data_items: list[DataCategory]
    sensitive_items: list[SensitiveCategory]
    justification: dict[str, Any]


class Page(BaseModel):
    subject_id: str
    as_of: datetime
    position: ViewPosition
    erased: bool
    consents: list[ConsentOut]
    objections: list[UUID]
    history: list[HistoryItem]
    disclosures: list[DisclosureOut]


def _consent_out(c: Consent, policies: Policies, withdrawn_by: UUID | None) -> ConsentOut:
    status: Literal["active", "reconsent_required", "withdrawn"] = (
        "withdrawn"
        if withdrawn_by
        else "active"
        if policies.current_for(c.purpose, c.policy_version)
        else "reconsent_required"
    )
    return ConsentOut(
        consent_id=c.consent_id,
        event_id=c.event_id,
        purpose=c.purpose,
        recipient=c.recipient,
        region=c.region,
        data_categories=sorted(c.data_categories),
        sensitive_categories=sorted(c.sensitive_categories),
        policy_version=c.policy_version,
        since=c.since,
        status=status,
        withdrawn_event_id=withdrawn_by,
    )


AsOf = Annotated[datetime | None, Query(description="Read as the log stood at this time")]
Version = Annotated[int | None, Query(ge=0, description="Read up to this stream version")]


@router.get(
    "/subjects/{subject_id}/page",
    tags=["consents"],
    summary="A person's own page: consents, their history, and who received which data when",
)
async def page(
    request: Request,
    subject_id: SubjectId,
    as_of_time: AsOf = None,
    subject_version: Version = None,
    policies_version: Version = None,
    principal: Principal = Reader,
) -> Page:
    _may_read(principal, subject_id)
    at = as_of_time or datetime.now(UTC)
    recorded = await as_of(
        _events(request),
        subject_id,
        at=at,
        subject_version=subject_version,
        policies_version=policies_version,
    )
    async with resources(request).db.acquire() as conn:
        disclosures = [
            d for d in await sql.disclosures_of(conn, subject_id) if d["shared_at"] <= at
        ]
    person, policies = recorded.person, recorded.policies
    consents = [_consent_out(c, policies, None) for c in person.consents.values()]
    consents += [_consent_out(c, policies, wid) for c, wid in person.withdrawn.values()]
    return Page(
        subject_id=subject_id,
        as_of=at,
        position=recorded.position,
        erased=person.erased,
        consents=sorted(consents, key=lambda c: (c.since, str(c.consent_id))),
        objections=sorted(person.objections),
        history=[
            HistoryItem(
                event_id=f.event_id,
                type=f.event.type,
                at=f.at,
                detail=f.event.model_dump(mode="json"),
            )
            for f in recorded.history
        ],
        disclosures=[
            DisclosureOut(**{**dict(d), "justification": orjson.loads(d["justification"])})
            for d in disclosures
        ],
    )
