"""The consent rules: given facts, when a command or a flow request, then events or a decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ac_consent.domain import Grant, ObjectToTransfer, Withdraw, decide
from ac_consent_rules.rules import (
    Fact,
    FlowRequest,
    Person,
    Policies,
    decide_flow,
    evolve_person,
    evolve_policies,
)
from ac_contracts.errors import Refused
from ac_events.catalogue import (
    BusinessTransferAnnounced,
    ConsentGranted,
    ConsentWithdrawn,
    DataCategory,
    DecisionReason,
    Event,
    LegalBasis,
    PolicyPublished,
    Purpose,
    PurposeChange,
    SensitiveCategory,
    SubjectErased,
    TransferObjected,
)

T0 = datetime(2026, 4, 1, tzinfo=UTC)
NOTICE = "c" * 64


def fact(event: Event, at: datetime = T0) -> Fact:
    return Fact(uuid4(), at, event)


def policy(version: str, *significant: Purpose) -> PolicyPublished:
    return PolicyPublished(
        policy_version=version,
        effective_at=T0,
        changes=tuple(
            PurposeChange(purpose=p, changed=True, significant=True) for p in significant
        ),
        text_sha256="a" * 64,
    )


def grant(
    purpose: Purpose = Purpose.CLIENT_APPLICATION,
    recipient: str = "org-jp",
    region: str = "JP",
    categories: tuple[DataCategory, ...] = (DataCategory.RESUME, DataCategory.NAME),
    sensitive: tuple[SensitiveCategory, ...] = (),
    version: str = "v1",
    consent_id: UUID | None = None,
) -> ConsentGranted:
    return ConsentGranted(
        consent_id=consent_id or uuid4(),
        purpose=purpose,
        recipient=recipient,
        region=region,
        data_categories=categories,
        sensitive_categories=sensitive,
        policy_version=version,
        country_notice_sha256=None if region == "JP" else NOTICE,
    )


def given_(*events: Event) -> tuple[Policies, Person, list[Fact]]:
    facts = [fact(e, T0 + timedelta(minutes=i)) for i, e in enumerate(events)]
    policies = reduce(evolve_policies, facts, Policies())
    person = reduce(evolve_person, facts, Person())
    return policies, person, facts


def apply_to_resume(region: str = "JP", recipient: str = "org-jp") -> FlowRequest:
    return FlowRequest(
        purpose=Purpose.CLIENT_APPLICATION,
        recipient=recipient,
        region=region,
        data_categories=frozenset({DataCategory.RESUME}),
    )


def test_a_consent_for_the_recipient_allows_and_is_cited() -> None:
    policies, person, facts = given_(policy("v1"), grant())
    decision = decide_flow(policies, person, apply_to_resume())
    assert decision.allow and decision.reason == DecisionReason.CONSENT_GRANTED
    assert decision.consent_event_ids == (facts[1].event_id,)


def test_without_consent_the_flow_is_denied() -> None:
    policies, person, _ = given_(policy("v1"))
    assert decide_flow(policies, person, apply_to_resume()).reason == DecisionReason.NO_CONSENT


def test_after_withdrawal_the_flow_is_denied_as_withdrawn() -> None:
    g = grant()
    policies, person, facts = given_(
        policy("v1"),
        g,
        ConsentWithdrawn(
            consent_id=g.consent_id, purpose=g.purpose, recipient=g.recipient, region=g.region
        ),
    )
    decision = decide_flow(policies, person, apply_to_resume())
    assert not decision.allow and decision.reason == DecisionReason.WITHDRAWN
    assert decision.consent_event_ids == (facts[2].event_id,)


def test_a_japan_only_consent_does_not_cover_an_overseas_recipient() -> None:
    policies, person, _ = given_(policy("v1"), grant(recipient="org-us"))
    decision = decide_flow(policies, person, apply_to_resume(region="US", recipient="org-us"))
    assert decision.reason == DecisionReason.REGION_NOT_COVERED


def test_a_significant_policy_change_requires_a_new_choice() -> None:
    policies, person, _ = given_(policy("v1"), grant(), policy("v2", Purpose.CLIENT_APPLICATION))
    assert (
        decide_flow(policies, person, apply_to_resume()).reason == DecisionReason.RECONSENT_REQUIRED
    )
    policies, person, _ = given_(
        policy("v1"), grant(), policy("v2", Purpose.CLIENT_APPLICATION), grant(version="v2")
    )
    assert decide_flow(policies, person, apply_to_resume()).allow


def test_an_insignificant_change_or_one_to_another_purpose_keeps_consents() -> None:
    policies, person, _ = given_(policy("v1"), grant(), policy("v2", Purpose.MARKETING))
    assert decide_flow(policies, person, apply_to_resume()).allow


def test_sensitive_data_needs_a_consent_that_names_it() -> None:
    request = FlowRequest(
        purpose=Purpose.CLIENT_APPLICATION,
        recipient="org-jp",
        region="JP",
        data_categories=frozenset({DataCategory.RESUME}),
        sensitive_categories=frozenset({SensitiveCategory.DISABILITY}),
    )
    policies, person, _ = given_(policy("v1"), grant())
    assert decide_flow(policies, person, request).reason == DecisionReason.SENSITIVE_NOT_COVERED
    policies, person, _ = given_(policy("v1"), grant(sensitive=(SensitiveCategory.DISABILITY,)))
    assert decide_flow(policies, person, request).allow


def test_categories_beyond_the_consent_are_not_covered() -> None:
    policies, person, _ = given_(policy("v1"), grant(categories=(DataCategory.NAME,)))
    assert (
        decide_flow(policies, person, apply_to_resume()).reason
        == DecisionReason.CATEGORIES_NOT_COVERED
    )


def test_any_recipient_never_means_a_third_party() -> None:
    policies, person, _ = given_(
        policy("v1"), grant(purpose=Purpose.VACANCY_ASSESSMENT, recipient="*")
    )
    inside = FlowRequest(purpose=Purpose.VACANCY_ASSESSMENT, recipient="matching", region="JP")
    assert decide_flow(policies, person, inside).allow
    with pytest.raises(Refused, match="names the recipient"):
        decide(
            policies,
            person,
            Grant(uuid4(), Purpose.CLIENT_APPLICATION, "*", "JP", (), (), "v1", None),
        )


def test_an_objection_excludes_the_person_from_the_transfer() -> None:
    transfer = BusinessTransferAnnounced(
        transfer_id=uuid4(),
        acquirer="org-buyer",
        acquirer_name="Buyer KK",
        purposes=(Purpose.RECRUITMENT_SERVICES,),
        opt_out_deadline=T0 + timedelta(days=30),
    )
    policies, person, _ = given_(
        policy("v1"),
        transfer,
        grant(purpose=Purpose.RECRUITMENT_SERVICES, recipient="*"),
        TransferObjected(transfer_id=transfer.transfer_id),
    )
    to_buyer = FlowRequest(purpose=Purpose.RECRUITMENT_SERVICES, recipient="org-buyer", region="JP")
    assert decide_flow(policies, person, to_buyer).reason == DecisionReason.OBJECTED_TO_TRANSFER
    late = ObjectToTransfer(transfer.transfer_id, now=T0 + timedelta(days=31))
    with pytest.raises(Refused, match="closed"):
        decide(policies, Person(), late)
    assert decide(policies, person, ObjectToTransfer(transfer.transfer_id, now=T0)) == []


def test_legal_disclosure_only_by_staff_with_basis_and_reference() -> None:
    policies, person, _ = given_(policy("v1"))
    lawful = FlowRequest(
        purpose=Purpose.LEGAL_DISCLOSURE,
        recipient="court-tokyo",
        region="JP",
        legal_basis=LegalBasis.LAWS_AND_REGULATIONS,
        legal_reference="order 2026-123",
        by_staff=True,
    )
    assert decide_flow(policies, person, lawful).reason == DecisionReason.LEGAL_EXEMPTION
    not_staff = FlowRequest(
        purpose=lawful.purpose, recipient=lawful.recipient, region="JP",
        legal_basis=lawful.legal_basis, legal_reference=lawful.legal_reference, by_staff=False,
    )  # fmt: skip
    no_reference = FlowRequest(
        purpose=lawful.purpose, recipient=lawful.recipient, region="JP",
        legal_basis=lawful.legal_basis, legal_reference="", by_staff=True,
    )  # fmt: skip
    assert not decide_flow(policies, person, not_staff).allow
    assert not decide_flow(policies, person, no_reference).allow


def test_after_erasure_nothing_flows_and_no_command_is_taken() -> None:
    policies, person, _ = given_(policy("v1"), grant(), SubjectErased())
    assert decide_flow(policies, person, apply_to_resume()).reason == DecisionReason.ERASED
    with pytest.raises(Refused, match="erased"):
        decide(policies, person, Withdraw(uuid4()))


def test_withdraw_is_one_command_and_idempotent() -> None:
    g = grant()
    policies, person, _ = given_(policy("v1"), g)
    [withdrawn] = decide(policies, person, Withdraw(g.consent_id))
    assert isinstance(withdrawn, ConsentWithdrawn) and withdrawn.consent_id == g.consent_id
    after = evolve_person(person, fact(withdrawn))
    assert decide(policies, after, Withdraw(g.consent_id)) == []
    with pytest.raises(Refused, match="no such consent"):
        decide(policies, after, Withdraw(uuid4()))


# ------------------------------------------------- property: fold == brute force

SCOPES = [
    (Purpose.CLIENT_APPLICATION, "org-a", "JP"),
    (Purpose.CLIENT_APPLICATION, "org-b", "US"),
    (Purpose.VETTING, "vet-1", "JP"),
    (Purpose.MARKETING, "*", "JP"),
]
CONSENT_IDS = [UUID(int=i + 1) for i in range(6)]


@dataclass(frozen=True)
class GrantStep:
    consent_id: UUID
    scope: tuple[Purpose, str, str]
    with_resume: bool


@dataclass(frozen=True)
class WithdrawStep:
    consent_id: UUID


@dataclass(frozen=True)
class PolicyStep:
    significant_for: Purpose


Step = GrantStep | WithdrawStep | PolicyStep

steps = st.lists(
    st.one_of(
        st.builds(GrantStep, st.sampled_from(CONSENT_IDS), st.sampled_from(SCOPES), st.booleans()),
        st.builds(WithdrawStep, st.sampled_from(CONSENT_IDS)),
        st.builds(PolicyStep, st.sampled_from([p for p, _, _ in SCOPES])),
    ),
    max_size=25,
)


def brute_force_allows(history: list[Event], request: FlowRequest) -> bool:
    """Recompute from the whole history, the simplest way that could be right."""
    versions = [e.policy_version for e in history if isinstance(e, PolicyPublished)]
    last_significant = max(
        (
            versions.index(e.policy_version)
            for e in history
            if isinstance(e, PolicyPublished)
            and any(c.significant and c.purpose == request.purpose for c in e.changes)
        ),
        default=-1,
    )
    for i, e in enumerate(history):
        if not isinstance(e, ConsentGranted):
            continue
        later = history[i + 1 :]
        if any(isinstance(w, ConsentWithdrawn) and w.consent_id == e.consent_id for w in later):
            continue
        if any(isinstance(g, ConsentGranted) and g.consent_id == e.consent_id for g in later):
            continue  # re-granted under the same id: the later one counts
        if (
            e.purpose == request.purpose
            and e.recipient == request.recipient
            and e.region == request.region
            and versions.index(e.policy_version) >= last_significant
            and request.data_categories <= set(e.data_categories)
        ):
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(script=steps, asked=st.sampled_from(SCOPES), categories=st.booleans())
def test_any_history_decides_like_a_brute_force_recomputation(
    script: list[Step], asked: tuple[Purpose, str, str], categories: bool
) -> None:
    history: list[Event] = [policy("v0")]
    for step in script:
        if isinstance(step, GrantStep):
            purpose, recipient, region = step.scope
            cats = (DataCategory.RESUME,) if step.with_resume else (DataCategory.NAME,)
            version = history_versions(history)[-1]
            history.append(
                grant(purpose, recipient, region, cats, version=version, consent_id=step.consent_id)
            )
        elif isinstance(step, WithdrawStep):
            granted = [
                e
                for e in history
                if isinstance(e, ConsentGranted) and e.consent_id == step.consent_id
            ]
            if granted:
                g = granted[-1]
                history.append(
                    ConsentWithdrawn(
                        consent_id=g.consent_id,
                        purpose=g.purpose,
                        recipient=g.recipient,
                        region=g.region,
                    )
                )
        else:
            history.append(policy(f"v{len(history_versions(history))}", step.significant_for))
    purpose, recipient, region = asked
    request = FlowRequest(
        purpose=purpose,
        recipient=recipient,
        region=region,
        data_categories=frozenset({DataCategory.RESUME}) if categories else frozenset(),
    )
    policies, person, _ = given_(*history)
    assert decide_flow(policies, person, request).allow == brute_force_allows(history, request)


def history_versions(history: list[Event]) -> list[str]:
    return [e.policy_version for e in history if isinstance(e, PolicyPublished)]
