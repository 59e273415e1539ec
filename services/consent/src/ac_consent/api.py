"""HTTP routes of the consent service -> commands and reads (decisions: `api_decisions.py`).

Who may call what (the token's role, see `ac_platform.auth`):
- a person's own consents, withdrawals and transfer objections: that person only
  (a withdrawal also by a service acting on the person's unsubscribe link);
- policy versions, business transfers, country notices: staff;
- a person's page and as-of reads: that person, staff, auditors, services.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID, uuid4

import orjson
from fastapi import APIRouter, Depends, Query, Request

from ac_consent import store as sql
from ac_consent.commands import handle, handle_staff, publish_notice
from ac_consent.deps import Deps
from ac_consent.domain import (
    AnnounceTransfer,
    Command,
    Grant,
    ObjectToTransfer,
    PublishPolicy,
    Withdraw,
)
from ac_consent.views import as_of, load_policies
from ac_consent_rules.rules import Consent, Policies
from ac_contracts.common import SubjectId
from ac_contracts.consent import (
    Announced,
    ConsentOut,
    ConsentPage,
    DisclosureOut,
    GrantBody,
    Granted,
    HistoryItem,
    Notice,
    NoticeBody,
    NoticeQuery,
    ObjectionBody,
    PageQuery,
    PolicyBody,
    PolicyState,
    Published,
    Recorded,
    TransferBody,
    TransferOut,
)
from ac_contracts.errors import Refused
from ac_events.catalogue import BusinessTransferAnnounced, PolicyPublished
from ac_events.catalogue.vocab import Sha256
from ac_platform.auth import Caller, Principal, acting_for, require

router = APIRouter()

Person = Depends(require(Caller.STUDENT))
Granter = Depends(require(Caller.STUDENT, Caller.SERVICE))
"""The person, or a service the person gave a consent through (`granting_services`), acting
with the person's token for that service (`X-On-Behalf-Of`)."""
Withdrawer = Depends(require(Caller.STUDENT, Caller.SERVICE))
"""Withdrawing only ever narrows what may flow: the person, or a service acting on their
unsubscribe link (`ConsentSettings.withdrawing_services`)."""
Staff = Depends(require(Caller.STAFF))
Reader = Depends(require(Caller.STUDENT, Caller.STAFF, Caller.AUDITOR, Caller.SERVICE))
Anyone = Depends(
    require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR, Caller.SERVICE)
)


def _own(principal: Principal, subject_id: str) -> None:
    if principal.subject != subject_id:
        raise Refused("not_your_data", "a person's consents are theirs alone to change")


def _may_read(principal: Principal, subject_id: str) -> None:
    if principal.role == Caller.STUDENT and principal.subject != subject_id:
        raise Refused("not_your_data", "a person may read only their own consents")


async def _handle(deps: Deps, subject_id: str, command: Command) -> Recorded:
    handled = await handle(deps.store, subject_id, command)
    return Recorded(event_ids=handled.event_ids, position=handled.position)


# ---------------------------------------------------------------- a person's commands


@router.post("/subjects/{subject_id}/consents", status_code=201, tags=["consents"],
             summary="Grant a consent (the person themself)")  # fmt: skip
async def grant(
    deps: Deps, request: Request, subject_id: SubjectId, body: GrantBody,
    principal: Principal = Granter,
) -> Granted:  # fmt: skip
    if principal.role == Caller.SERVICE:
        acting = await acting_for(request, principal)
        allowed = principal.subject in deps.settings.granting_services
        if not allowed or acting is None or acting.role != Caller.STUDENT:
            raise Refused("forbidden", "this service may not grant consents")
        principal = acting
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
        policy_text_sha256=body.policy_text_sha256,
    )
    recorded = await _handle(deps, subject_id, command)
    return Granted(consent_id=command.consent_id, **recorded.model_dump())


@router.delete("/subjects/{subject_id}/consents/{consent_id}", tags=["consents"],
               summary="Withdraw a consent: one call, effective for every decision after it")  # fmt: skip
async def withdraw(
    deps: Deps, subject_id: SubjectId, consent_id: UUID, principal: Principal = Withdrawer
) -> Recorded:
    if principal.role != Caller.SERVICE:
        _own(principal, subject_id)
    elif principal.subject not in deps.settings.withdrawing_services:
        raise Refused("forbidden", "this service may not withdraw consents")
    return await _handle(deps, subject_id, Withdraw(consent_id))


@router.post("/subjects/{subject_id}/transfer-objections", status_code=201, tags=["consents"],
             summary="Opt out of an announced business transfer")  # fmt: skip
async def object_to_transfer(
    deps: Deps, subject_id: SubjectId, body: ObjectionBody, principal: Principal = Person
) -> Recorded:
    _own(principal, subject_id)
    return await _handle(deps, subject_id, ObjectToTransfer(body.transfer_id, deps.clock()))


# ---------------------------------------------------------------- staff


@router.post("/policies", status_code=201, tags=["staff"],
             summary="Publish a policy version: its text in both languages, its changes per purpose")  # fmt: skip
async def publish_policy(deps: Deps, body: PolicyBody, _: Principal = Staff) -> Published:
    sha = body.texts.sha256()
    if body.text_sha256 is not None and body.text_sha256 != sha:
        raise Refused("policy_text_mismatch", "text_sha256 is not the SHA-256 of the texts")
    event = PolicyPublished(policy_version=body.policy_version, effective_at=body.effective_at,
                            changes=tuple(body.changes), text_sha256=sha, texts=body.texts)  # fmt: skip
    event_id = await handle_staff(deps.store, PublishPolicy(event))
    return Published(event_id=event_id)


@router.post("/transfers", status_code=201, tags=["staff"], summary="Announce a business transfer")
async def announce_transfer(deps: Deps, body: TransferBody, _: Principal = Staff) -> Announced:
    transfer_id = uuid4()
    event = BusinessTransferAnnounced(transfer_id=transfer_id, **body.model_dump())
    event_id = await handle_staff(deps.store, AnnounceTransfer(event, deps.clock()))
    return Announced(event_id=event_id, transfer_id=transfer_id)


@router.post("/country-notices", status_code=201, tags=["staff"],
             summary="Publish a country notice (stored by the SHA-256 of its content)")  # fmt: skip
async def publish_country_notice(deps: Deps, body: NoticeBody, _: Principal = Staff) -> Notice:
    digest = await publish_notice(deps.store, body)
    return Notice(notice_sha256=digest, **body.model_dump())


@router.get("/country-notices", tags=["consents"],
            summary="The country notices of a country, newest first (shown before a consent)")  # fmt: skip
async def list_notices(
    deps: Deps, query: Annotated[NoticeQuery, Query()], _: Principal = Anyone
) -> list[Notice]:
    async with deps.db.acquire() as conn:
        rows = await sql.country_notices(conn, query.country)
    return [Notice(**{k: row[k] for k in Notice.model_fields}) for row in rows]


@router.get("/country-notices/{notice_sha256}", tags=["consents"], summary="A country notice")
async def get_notice(deps: Deps, notice_sha256: Sha256, _: Principal = Anyone) -> Notice:
    async with deps.db.acquire() as conn:
        row = await sql.country_notice(conn, notice_sha256)
    if row is None:
        raise Refused("no_such_country_notice", "no country notice with that hash")
    return Notice(**{k: row[k] for k in Notice.model_fields})


@router.get("/policies", tags=["consents"], summary="Published policy versions and transfers")
async def get_policies(deps: Deps, _: Principal = Anyone) -> PolicyState:
    async with deps.db.acquire() as conn:
        p = await load_policies(conn)
    order = sorted(p.ranks, key=p.ranks.__getitem__)
    return PolicyState(
        versions=order,
        significant_since={purpose: order[rank] for purpose, rank in p.significant_since.items()},
        transfers=[
            TransferOut(transfer_id=t.transfer_id, acquirer=t.acquirer,
                        purposes=sorted(t.purposes), opt_out_deadline=t.opt_out_deadline)
            for t in p.transfers.values()
        ],
    )  # fmt: skip


# ---------------------------------------------------------------- a person's page


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


@router.get("/subjects/{subject_id}/page", tags=["consents"],
            summary="A person's own page: consents, their history, who received which data")  # fmt: skip
async def page(
    deps: Deps,
    subject_id: SubjectId,
    query: Annotated[PageQuery, Query()],
    principal: Principal = Reader,
) -> ConsentPage:
    _may_read(principal, subject_id)
    at = query.as_of_time or deps.clock()
    recorded = await as_of(deps.store, subject_id, at=at, subject_version=query.subject_version,
                           policies_version=query.policies_version)  # fmt: skip
    async with deps.db.acquire() as conn:
        disclosures = [
            d for d in await sql.disclosures_of(conn, subject_id) if d["shared_at"] <= at
        ]
    person, policies = recorded.person, recorded.policies
    consents = [_consent_out(c, policies, None) for c in person.consents.values()]
    consents += [_consent_out(c, policies, wid) for c, wid in person.withdrawn.values()]
    return ConsentPage(
        subject_id=subject_id,
        as_of=at,
        position=recorded.position,
        erased=person.erased,
        consents=sorted(consents, key=lambda c: (c.since, str(c.consent_id))),
        objections=sorted(person.objections),
        history=[
            HistoryItem(event_id=f.event_id, type=f.event.type, at=f.at,
                        detail=f.event.model_dump(mode="json"))
            for f in recorded.history
        ],
        disclosures=[
            DisclosureOut(**{**dict(d), "justification": orjson.loads(d["justification"])})
            for d in disclosures
        ],
    )  # fmt: skip
