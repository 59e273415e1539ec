"""HTTP routes of the consent service's decisions: may this flow of a person's data happen?

Services, staff and auditors ask, and a person about themself; a legal-basis
decision is lawful only for staff (or a service acting for staff). A decision
now reads the view (`decisions.py`); one as of a time or position folds the log.
The hot path answers with orjson, skipping pydantic on the way out.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request, Response

from ac_consent.decisions import Ask, PositionedDecision, UnknownRecipients
from ac_consent.deps import Deps
from ac_consent.views import as_of
from ac_consent_rules.rules import RULES_VERSION, FlowRequest, decide_flow
from ac_contracts.consent import MAX_BATCH, BatchBody, BatchOut, DecisionBody, DecisionOut
from ac_contracts.errors import Refused
from ac_events.catalogue import DataCategory, LegalBasis, Purpose, SensitiveCategory
from ac_platform.auth import Caller, Principal, acting_for, require

router = APIRouter()

Asker = Depends(require(Caller.SERVICE, Caller.STAFF, Caller.AUDITOR, Caller.STUDENT))


def flow(body: DecisionBody, by_staff: bool) -> FlowRequest:
    return _flow(
        body.purpose,
        body.recipient,
        body.region,
        tuple(body.data_categories),
        tuple(body.sensitive_categories),
        body.legal_basis,
        body.legal_reference,
        by_staff,
    )


@lru_cache(maxsize=4096)
def _flow(
    purpose: Purpose,
    recipient: str,
    region: str,
    data: tuple[DataCategory, ...],
    sensitive: tuple[SensitiveCategory, ...],
    basis: LegalBasis | None,
    reference: str | None,
    by_staff: bool,
) -> FlowRequest:
    """Requests repeat (a batch asks the same question of many people): a frozen
    `FlowRequest` is built once per distinct question."""
    return FlowRequest(
        purpose=purpose,
        recipient=recipient,
        region=region,
        data_categories=frozenset(data),
        sensitive_categories=frozenset(sensitive),
        legal_basis=basis,
        legal_reference=reference,
        by_staff=by_staff,
    )


def _out(d: PositionedDecision) -> dict[str, Any]:
    """The answer as orjson serialises it (UUIDs natively)."""
    return {
        "decision": "allow" if d.decision.allow else "deny",
        "reason": d.decision.reason,
        "consent_event_ids": d.decision.consent_event_ids,
        "position": {
            "subject_version": d.position.subject_version,
            "policies_version": d.position.policies_version,
        },
        "rules_version": RULES_VERSION,
    }


async def _by_staff(request: Request, principal: Principal) -> bool:
    if principal.role == Caller.STAFF:
        return True
    if principal.role == Caller.SERVICE:
        acting = await acting_for(request, principal)
        return acting is not None and acting.role == Caller.STAFF
    return False


async def _decide(
    deps: Deps, request: Request, principal: Principal, bodies: list[DecisionBody]
) -> list[dict[str, Any]]:
    if principal.role == Caller.STUDENT and any(b.subject_id != principal.subject for b in bodies):
        raise Refused("not_your_data", "a person may ask only about their own data")
    if any(b.legal_basis is not None and not b.legal_reference for b in bodies):
        raise Refused("legal_reference_required", "a legal basis needs its reference")
    by_staff = await _by_staff(request, principal)
    now = [i for i, b in enumerate(bodies) if b.as_of is None and b.position is None]
    out: list[dict[str, Any]] = [{} for _ in bodies]
    if now:
        asks = [Ask(bodies[i].subject_id, flow(bodies[i], by_staff)) for i in now]
        try:
            decided = await deps.decider.decide(asks)
        except UnknownRecipients as exc:
            bad = [now[i] for i in exc.indexes]
            raise Refused(
                "unknown_recipient", f"no such recipient organisation in request(s) {bad}"
            ) from exc
        for i, d in zip(now, decided, strict=True):
            out[i] = _out(d)
    for i, b in enumerate(bodies):
        if not out[i]:
            out[i] = _out(await _decide_from_log(deps, b, by_staff))
    return out


async def _decide_from_log(deps: Deps, b: DecisionBody, by_staff: bool) -> PositionedDecision:
    recorded = await as_of(
        deps.store,
        b.subject_id,
        at=b.as_of,
        subject_version=b.position.subject_version if b.position else None,
        policies_version=b.position.policies_version if b.position else None,
    )
    decision = decide_flow(recorded.policies, recorded.person, flow(b, by_staff))
    return PositionedDecision(decision, recorded.position)


def _json(content: Any) -> Response:
    return Response(orjson.dumps(content, default=str), media_type="application/json")


@router.post("/decisions", tags=["decisions"], response_model=DecisionOut,
             summary="May this flow of a person's data happen (now, or as of a time or position)?")  # fmt: skip
async def decide(
    deps: Deps, request: Request, body: DecisionBody, principal: Principal = Asker
) -> Response:
    with request.app.state.metrics.decision_seconds.labels("single").time():
        [out] = await _decide(deps, request, principal, [body])
    return _json(out)


@router.post("/decisions/batch", tags=["decisions"], response_model=BatchOut,
             summary=f"Many decisions on one snapshot (at most {MAX_BATCH})")  # fmt: skip
async def decide_batch(
    deps: Deps, request: Request, body: BatchBody, principal: Principal = Asker
) -> Response:
    with request.app.state.metrics.decision_seconds.labels("batch").time():
        decided = await _decide(deps, request, principal, body.requests)
    return _json({"decisions": decided})
