"""[E] #18: what `use_covered` finds in a use, case by case (the seeded history of
tests/integration/audit plants the three the issue names; these are the rest)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from ac_audit.folds import Folds
from ac_audit.state import LogState, Meta, Raw
from ac_audit.uses import use_covered
from ac_consent_rules.rules import Fact
from ac_events.catalogue import ConsentGranted, PolicyPublished, Purpose

AT = datetime(2026, 3, 1, tzinfo=UTC)
SUBJECT = "s1"


def _state() -> tuple[LogState, str]:
    state = LogState()
    policy = PolicyPublished(policy_version="v1", effective_at=AT, text_sha256="a" * 64)
    state.policy_facts.append((1, Fact(uuid.uuid4(), AT, policy)))
    grant = ConsentGranted(consent_id=uuid.uuid4(), purpose=Purpose.VACANCY_ASSESSMENT,
                           recipient="*", region="JP", policy_version="v1")  # fmt: skip
    grant_id = uuid.uuid4()
    state.person_facts[SUBJECT].append((1, Fact(grant_id, AT, grant)))
    return state, str(grant_id)


def _use(kind: str | None, use: Any, subject: str | None = SUBJECT) -> Raw:
    meta = Meta("t", str(uuid.uuid4()), "s", 1, subject, AT,
                "MatchScored" if kind is None else "NotificationSent", 2)  # fmt: skip
    return Raw(meta, {"use": use, "kind": kind})


def _consent(purpose: str, ids: list[str], subject_version: int = 1) -> dict[str, Any]:
    return {"purpose": purpose, "basis": "consent", "denied": None,
            "decision": {"reason": "consent_granted", "consent_event_ids": ids,
                         "position": {"subject_version": subject_version, "policies_version": 1}}}  # fmt: skip


def _details(use: Raw) -> list[str]:
    state, _ = _state()
    state.uses.append(use)
    state.uses_seen += 1
    return [f.detail for f in use_covered(state, Folds(state)).findings]


def test_a_score_citing_the_standing_consent_at_its_position_is_allowed() -> None:
    state, grant = _state()
    state.uses.append(_use(None, _consent("vacancy_assessment", [grant])))
    assert use_covered(state, Folds(state)).findings == []


@pytest.mark.parametrize(
    ("kind", "use", "detail"),
    [
        (None, {"purpose": "vacancy_assessment", "basis": "not_cited"},
         "no decision cited for vacancy_assessment"),
        (None, _consent("vacancy_assessment", ["GRANT"], subject_version=0),
         "vacancy_assessment not allowed at the position it cites: no_consent"),
        (None, _consent("vacancy_assessment", ["GRANT"], subject_version=5),
         "cites a position beyond the log (5, 1)"),
        (None, _consent("vacancy_assessment", [str(uuid.uuid4())]),
         "cites consent events that were not this person's vacancy_assessment consents"),
        (None, {"purpose": "marketing", "basis": "consent"},
         "serves marketing, but a score serves vacancy_assessment"),
        ("marketing", {"purpose": "marketing", "basis": "contract"},
         "cites contract, but a marketing message (marketing) rests on consent"),
        ("job_alert", {"purpose": "marketing", "basis": "consent"},
         "serves marketing, but a job_alert message serves cv_and_job_alerts"),
        ("disclosure", {"purpose": "recruitment_services", "basis": "consent"},
         "cites consent, but a disclosure message (recruitment_services) rests on legal_obligation"),
        (None, None, "a use citing nothing readable"),
    ],
)  # fmt: skip
def test_each_uncovered_use_is_found_for_what_it_is(
    kind: str | None, use: Any, detail: str
) -> None:
    _, grant = _state()
    if isinstance(use, dict) and use.get("decision"):
        ids = use["decision"]["consent_event_ids"]
        use["decision"]["consent_event_ids"] = [grant if i == "GRANT" else i for i in ids]
    assert _details(_use(kind, use)) == [detail]


def test_a_use_on_consent_names_its_person() -> None:
    _, grant = _state()
    assert _details(_use(None, _consent("vacancy_assessment", [grant]), subject=None)) == [
        "a use on consent that names no person, position or consent event"
    ]


def test_the_replay_keeps_what_must_be_judged_and_counts_the_rest() -> None:
    state = LogState()
    owed = {"purpose": "recruitment_services", "basis": "legal_obligation"}
    refused = {"purpose": "cv_and_job_alerts", "basis": "refused", "denied": "no_consent"}
    for kind, use in (("disclosure", owed), ("job_alert", refused), ("job_alert", owed)):
        raw = _use(kind, use)
        state._use(raw.meta, {"kind": kind, "use": use})
    assert state.uses_seen == 3
    assert [(u.payload["kind"], u.payload["use"]) for u in state.uses] == [("job_alert", owed)]
    v1 = _use("job_alert", None).meta._replace(schema_version=1)
    state._use(v1, {"kind": "job_alert"})  # upcast: no decision cited
    assert state.uses[-1].payload["use"]["basis"] == "not_cited"
