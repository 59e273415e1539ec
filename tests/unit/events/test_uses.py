"""[E] #18: a use cites its decision (or its basis); old uses read as "no decision cited"."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from ac_events.catalogue import (
    MESSAGE_USES,
    MatchScored,
    NotificationKind,
    NotificationSent,
    Purpose,
    UseBasis,
    UseRef,
)
from ac_events.catalogue.base import upcast

GRANT = str(uuid.uuid4())
ALLOW = {"decision": "allow", "reason": "consent_granted", "consent_event_ids": [GRANT],
         "position": {"subject_version": 3, "policies_version": 1}}  # fmt: skip


def test_an_allowed_answer_is_a_use_citing_its_decision() -> None:
    use = UseRef.from_answer(Purpose.VACANCY_ASSESSMENT, ALLOW)
    assert use.allowed and use.basis is UseBasis.CONSENT and use.decision is not None
    assert [str(i) for i in use.decision.consent_event_ids] == [GRANT]
    assert use.decision.position.subject_version == 3


@pytest.mark.parametrize(
    "answer",
    [
        {"decision": "deny", "reason": "withdrawn", "consent_event_ids": [GRANT],
         "position": {"subject_version": 4, "policies_version": 1}},
        {"decision": "deny", "reason": "no_consent", "consent_event_ids": [],
         "position": {"subject_version": 0, "policies_version": 1}},
        {**ALLOW, "consent_event_ids": []},  # allowed, citing nothing: refused all the same
    ],
)  # fmt: skip
def test_anything_but_an_allow_citing_consent_is_refused(answer: dict[str, object]) -> None:
    use = UseRef.from_answer(Purpose.CV_AND_JOB_ALERTS, answer)
    assert not use.allowed and use.basis is UseBasis.REFUSED and use.decision is None
    assert use.denied is not None


def test_a_purpose_that_needs_consent_cannot_cite_an_owed_basis() -> None:
    with pytest.raises(ValidationError):
        UseRef.owed(Purpose.MARKETING, UseBasis.CONTRACT)
    with pytest.raises(ValidationError):
        UseRef(purpose=Purpose.VACANCY_ASSESSMENT, basis=UseBasis.CONSENT)  # no decision
    assert UseRef.owed(Purpose.RECRUITMENT_SERVICES, UseBasis.LEGAL_OBLIGATION).allowed


def test_every_kind_of_message_names_its_purpose_and_basis() -> None:
    assert set(MESSAGE_USES) == set(NotificationKind)
    consented = {k for k, (_, b) in MESSAGE_USES.items() if b is UseBasis.CONSENT}
    assert consented == {NotificationKind.JOB_ALERT, NotificationKind.MARKETING,
                         NotificationKind.PROMOTION}  # fmt: skip
    for purpose, basis in MESSAGE_USES.values():  # each valid as a UseRef
        if basis is not UseBasis.CONSENT:
            UseRef.owed(purpose, basis)


def test_old_uses_read_as_no_decision_cited() -> None:
    score = MatchScored.model_validate(
        upcast("MatchScored", 1, {"vacancy_id": str(uuid.uuid4()), "score": 0.5, "method": "m"})
    )
    assert score.use.basis is UseBasis.NOT_CITED
    assert score.use.purpose is Purpose.VACANCY_ASSESSMENT
    v1 = {"message_id": str(uuid.uuid4()), "language": "en", "idempotency_key": "k",
          "address": "a@example.jp"}  # fmt: skip
    alert = NotificationSent.model_validate(
        upcast("NotificationSent", 1, {**v1, "kind": "job_alert"})
    )
    assert alert.use.basis is UseBasis.NOT_CITED and alert.use.purpose is Purpose.CV_AND_JOB_ALERTS
    notice = NotificationSent.model_validate(
        upcast("NotificationSent", 1, {**v1, "kind": "disclosure"})
    )
    assert notice.use.basis is UseBasis.LEGAL_OBLIGATION
