"""The consent rules, pure: no I/O, no clock (time comes in the facts and the requests).

- `evolve_person(person, fact)` / `evolve_policies(policies, fact)` fold recorded
  events into state: the same functions serve the consent service, its
  projections and the audit's replay;
- `decide_flow(policies, person, request)` answers whether a flow of the
  person's data may happen, why, and on which consent events.

`RULES_VERSION` names this set of rules: every decision records it, and the
audit says which version it judged with. Change it whenever an answer of
`decide_flow` could change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from ac_events.catalogue import (
    ANY_RECIPIENT,
    THIRD_PARTY_PURPOSES,
    BusinessTransferAnnounced,
    ConsentGranted,
    ConsentWithdrawn,
    DataCategory,
    DecisionReason,
    Event,
    LegalBasis,
    PolicyPublished,
    Purpose,
    SensitiveCategory,
    SubjectErased,
    TransferObjected,
)

RULES_VERSION = "consent-rules/1"
"""The version of these rules, recorded with every decision."""


@dataclass(frozen=True, slots=True)
class Fact:
    """A recorded event as the rules see it: what happened, its id and when."""

    event_id: UUID
    at: datetime
    event: Event


@dataclass(frozen=True, slots=True)
class Consent:
    consent_id: UUID
    event_id: UUID
    """The `ConsentGranted` event: what a decision cites."""
    purpose: Purpose
    recipient: str
    region: str
    data_categories: frozenset[DataCategory]
    sensitive_categories: frozenset[SensitiveCategory]
    policy_version: str
    since: datetime


@dataclass(frozen=True, slots=True)
class Person:
    consents: dict[UUID, Consent] = field(default_factory=dict)
    withdrawn: dict[UUID, tuple[Consent, UUID]] = field(default_factory=dict)
    """consent id -> (the consent, the `ConsentWithdrawn` event id)."""
    objections: frozenset[UUID] = frozenset()
    erased: bool = False


@dataclass(frozen=True, slots=True)
class Transfer:
    transfer_id: UUID
    acquirer: str
    purposes: frozenset[Purpose]
    opt_out_deadline: datetime


@dataclass(frozen=True, slots=True)
class Policies:
    ranks: dict[str, int] = field(default_factory=dict)
    """Policy version -> its place in publication order."""
    significant_since: dict[Purpose, int] = field(default_factory=dict)
    """Purpose -> rank of the latest version that changed it significantly."""
    transfers: dict[UUID, Transfer] = field(default_factory=dict)

    def current_for(self, purpose: Purpose, version: str) -> bool:
        """A consent given under `version` still stands for `purpose`."""
        needed = self.significant_since.get(purpose)
        return needed is None or self.ranks.get(version, -1) >= needed


# ---------------------------------------------------------------- evolve


def evolve_person(person: Person, fact: Fact) -> Person:
    e = fact.event
    if isinstance(e, ConsentGranted):
        consent = Consent(
            consent_id=e.consent_id,
            event_id=fact.event_id,
            purpose=e.purpose,
            recipient=e.recipient,
            region=e.region,
            data_categories=frozenset(e.data_categories),
            sensitive_categories=frozenset(e.sensitive_categories),
            policy_version=e.policy_version,
            since=fact.at,
        )
        return replace(person, consents={**person.consents, e.consent_id: consent})
    if isinstance(e, ConsentWithdrawn):
        old = person.consents.get(e.consent_id)
        if old is None:
            return person
        consents = {k: v for k, v in person.consents.items() if k != e.consent_id}
        return replace(
            person,
            consents=consents,
            withdrawn={**person.withdrawn, e.consent_id: (old, fact.event_id)},
        )
    if isinstance(e, TransferObjected):
        return replace(person, objections=person.objections | {e.transfer_id})
    if isinstance(e, SubjectErased):
        return replace(person, erased=True)
    return person


def evolve_policies(policies: Policies, fact: Fact) -> Policies:
    e = fact.event
    if isinstance(e, PolicyPublished):
        rank = len(policies.ranks)
        significant = dict(policies.significant_since)
        for change in e.changes:
            if change.significant:
                significant[change.purpose] = rank
        return replace(
            policies,
            ranks={**policies.ranks, e.policy_version: rank},
            significant_since=significant,
        )
    if isinstance(e, BusinessTransferAnnounced):
        transfer = Transfer(e.transfer_id, e.acquirer, frozenset(e.purposes), e.opt_out_deadline)
        return replace(policies, transfers={**policies.transfers, e.transfer_id: transfer})
    return policies


# ---------------------------------------------------------------- decisions


@dataclass(frozen=True, slots=True)
class FlowRequest:
    purpose: Purpose
    recipient: str
    region: str
    data_categories: frozenset[DataCategory] = frozenset()
    sensitive_categories: frozenset[SensitiveCategory] = frozenset()
    legal_basis: LegalBasis | None = None
    legal_reference: str | None = None
    by_staff: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    allow: bool
    reason: DecisionReason
    consent_event_ids: tuple[UUID, ...] = ()


def _deny(reason: DecisionReason, *cited: UUID) -> Decision:
    return Decision(False, reason, tuple(cited))


def _names_recipient(consent: Consent, request: FlowRequest) -> bool:
    if consent.recipient == request.recipient:
        return True
    # `*` means "inside the company": never a third party.
    return consent.recipient == ANY_RECIPIENT and request.purpose not in THIRD_PARTY_PURPOSES


def decide_flow(policies: Policies, person: Person, request: FlowRequest) -> Decision:
    """May this flow happen now? The first rule that fails names the reason."""
    if person.erased:
        return _deny(DecisionReason.ERASED)
    if request.legal_basis is not None or request.purpose == Purpose.LEGAL_DISCLOSURE:
        lawful = (
            request.purpose == Purpose.LEGAL_DISCLOSURE
            and request.legal_basis is not None
            and bool(request.legal_reference)
            and request.by_staff
        )
        return Decision(
            lawful, DecisionReason.LEGAL_EXEMPTION if lawful else DecisionReason.NO_CONSENT
        )
    for transfer_id in person.objections:
        transfer = policies.transfers.get(transfer_id)
        if (
            transfer is not None
            and transfer.acquirer == request.recipient
            and request.purpose in transfer.purposes
        ):
            return _deny(DecisionReason.OBJECTED_TO_TRANSFER)

    scoped = [
        c
        for c in person.consents.values()
        if c.purpose == request.purpose and _names_recipient(c, request)
    ]
    if not scoped:
        gone = [
            wid
            for c, wid in person.withdrawn.values()
            if c.purpose == request.purpose and _names_recipient(c, request)
        ]
        return _deny(DecisionReason.WITHDRAWN, *gone) if gone else _deny(DecisionReason.NO_CONSENT)
    in_region = [c for c in scoped if c.region == request.region]
    if not in_region:
        return _deny(DecisionReason.REGION_NOT_COVERED)
    current = [c for c in in_region if policies.current_for(request.purpose, c.policy_version)]
    if not current:
        return _deny(DecisionReason.RECONSENT_REQUIRED, *(c.event_id for c in in_region))
    covering = [c for c in current if request.data_categories <= c.data_categories]
    if not covering:
        return _deny(DecisionReason.CATEGORIES_NOT_COVERED)
    sensitive = [c for c in covering if request.sensitive_categories <= c.sensitive_categories]
    if not sensitive:
        return _deny(DecisionReason.SENSITIVE_NOT_COVERED)
    best = min(sensitive, key=lambda c: (c.since, str(c.consent_id)))
    return Decision(True, DecisionReason.CONSENT_GRANTED, (best.event_id,))
