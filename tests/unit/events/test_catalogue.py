"""The catalogue: every event of architecture.md §1, typed, with personal data marked."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from ac_events.catalogue import (
    THIRD_PARTY_PURPOSES,
    ConsentGranted,
    DataCategory,
    DataShared,
    DecisionReason,
    DecisionRef,
    LegalBasis,
    LegalRef,
    Purpose,
    ResumeSubmitted,
    UserRegistered,
    ViewPosition,
    catalogue_events,
)

DESIGN_EVENTS = {
    "identity": {
        "UserRegistered",
        "ProfileUpdated",
        "ClientOrganizationRegistered",
        "ErasureRequested",
        "SubjectErased",
    },
    "resumes": {"ResumeSubmitted", "ResumeRevised", "ResumeDeleted", "SensitiveDataDeclared"},
    "matching": {
        "VacancyPosted",
        "VacancyClosed",
        "MatchScored",
        "ApplicationSubmitted",
        "DataShared",
        "DataShareBlocked",
    },
    "consent": {
        "ConsentGranted",
        "ConsentWithdrawn",
        "PolicyPublished",
        "BusinessTransferAnnounced",
        "TransferObjected",
    },
    "notifications": {"NotificationSent", "NotificationFailed", "AlertSubscribed"},
}


def test_every_design_event_is_registered_with_its_producer() -> None:
    by_producer: dict[str, set[str]] = {}
    for event in catalogue_events():
        by_producer.setdefault(event.producer, set()).add(event.type)
    for producer, types in DESIGN_EVENTS.items():
        assert types <= by_producer[producer], producer


def test_purposes_are_the_policys_thirteen_codes() -> None:
    assert len(Purpose) == 13
    assert {Purpose.CLIENT_APPLICATION, Purpose.VETTING} == THIRD_PARTY_PURPOSES


def test_personal_fields_are_marked_and_facts_are_not() -> None:
    assert {"name", "email", "username", "school", "gender"} <= UserRegistered.personal_fields()
    assert "role" not in UserRegistered.personal_fields()
    assert ResumeSubmitted.personal_fields() == {"content"}
    assert ConsentGranted.personal_fields() == frozenset()
    assert DataShared.personal_fields() == frozenset()


def consent(**overrides: object) -> ConsentGranted:
    fields: dict[str, object] = {
        "consent_id": uuid4(),
        "purpose": "client_application",
        "recipient": "org-1",
        "region": "jp",
        "policy_version": "2026-04",
    }
    fields.update(overrides)
    return ConsentGranted.model_validate(fields)


def test_regions_are_iso_3166_alpha_2() -> None:
    assert consent(region="jp").region == "JP"
    assert consent(region="us", country_notice_sha256="a" * 64).region == "US"
    with pytest.raises(ValidationError, match="ISO 3166"):
        consent(region="XX")


def test_a_foreign_region_needs_the_country_notice_shown() -> None:
    with pytest.raises(ValidationError, match="country notice"):
        consent(region="SG")
    with pytest.raises(ValidationError, match="JP"):
        consent(region="JP", country_notice_sha256="b" * 64)


def shared(**overrides: object) -> DataShared:
    fields: dict[str, object] = {
        "disclosure_id": uuid4(),
        "shared_at": datetime.now(UTC),
        "purpose": Purpose.CLIENT_APPLICATION,
        "organization_id": "org-1",
        "recipient_legal_name": "Example KK",
        "recipient_address": "1-1 Chiyoda, Tokyo",
        "recipient_representative": "Taro Example",
        "recipient_country": "JP",
        "data_items": [DataCategory.RESUME],
    }
    fields.update(overrides)
    return DataShared.model_validate(fields)


def test_a_disclosure_names_exactly_one_justification() -> None:
    decision = DecisionRef(
        reason=DecisionReason.CONSENT_GRANTED,
        consent_event_ids=(uuid4(),),
        position=ViewPosition(subject_version=3, policies_version=1),
    )
    legal = LegalRef(basis=LegalBasis.LAWS_AND_REGULATIONS, reference="court order 12")
    assert shared(decision=decision).decision == decision
    assert shared(legal=legal).legal == legal
    with pytest.raises(ValidationError, match="exactly one"):
        shared()
    with pytest.raises(ValidationError, match="exactly one"):
        shared(decision=decision, legal=legal)
    with pytest.raises(ValidationError):
        shared(decision=decision, data_items=[])
