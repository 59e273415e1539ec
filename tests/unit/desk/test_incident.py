"""[B] #17: the incident rules, given/when/then (pure: time passed in)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from ac_contracts.errors import Refused
from ac_contracts.incidents import Scope
from ac_desk import incident as rules
from ac_desk.incident import Incident, IncidentRules
from ac_events.catalogue import (
    DataCategory,
    Event,
    IncidentCloseReason,
    IncidentDueSoon,
    IncidentOpened,
    IncidentReported,
    IncidentScoped,
    ReportReason,
    ReportStage,
)

FOUND = datetime(2026, 5, 1, 9, tzinfo=UTC)
RULES = IncidentRules(supervisors=("boss",))


def opened(**extra: bool) -> Incident:
    o = IncidentOpened(incident_id=uuid4(), title="leak", started_at=FOUND - timedelta(days=9),
                       discovered_at=FOUND, recipients=("org-de-1",),
                       data_categories=(DataCategory.RESUME,), opened_by="staff",
                       **extra)  # fmt: skip
    return Incident(o, FOUND)


def scope(people: int = 10, special: int = 0) -> Scope:
    return Scope(people=people, by_category={"resume": people}, special_care=special,
                 provisions=people, log_as_of=FOUND, affected=[])  # fmt: skip


def then(i: Incident, events: Sequence[Event]) -> Incident:
    for e in events:
        i = rules.evolve(i, e, FOUND)
    return i


@pytest.mark.parametrize(
    ("extra", "people", "special", "reasons"),
    [
        ({}, 10, 0, ()),
        ({}, 10, 1, (ReportReason.SPECIAL_CARE,)),
        ({"financial_harm": True}, 10, 0, (ReportReason.FINANCIAL_HARM,)),
        ({"unjust_purpose": True}, 10, 0, (ReportReason.UNJUST_PURPOSE,)),
        ({}, 1000, 0, ()),
        ({}, 1001, 0, (ReportReason.OVER_1000,)),
        ({"encrypted": True}, 5000, 0, ()),
    ],
)
def test_reportable_for_the_four_cases_only(
    extra: dict[str, bool], people: int, special: int, reasons: tuple[ReportReason, ...]
) -> None:
    (scoped,) = rules.scope(opened(**extra), scope(people, special), "staff")
    assert isinstance(scoped, IncidentScoped)
    assert scoped.reasons == reasons and scoped.reportable is bool(reasons)


def test_deadlines_run_from_discovery_60_days_for_an_unjust_purpose() -> None:
    assert opened().due(ReportStage.PRELIMINARY) == FOUND + timedelta(days=3)
    assert opened().due(ReportStage.FINAL) == FOUND + timedelta(days=30)
    assert opened(unjust_purpose=True).due(ReportStage.FINAL) == FOUND + timedelta(days=60)


def test_a_warning_comes_once_within_its_time_then_the_next_stage() -> None:
    i = then(opened(), rules.scope(opened(), scope(special=1), "staff"))
    assert rules.deadlines(i, FOUND + timedelta(days=1), RULES) == []
    (warning,) = rules.deadlines(i, FOUND + timedelta(days=2, hours=1), RULES)
    assert isinstance(warning, IncidentDueSoon) and warning.stage is ReportStage.PRELIMINARY
    assert warning.notify == ("boss",)
    i = then(i, [warning])
    assert rules.deadlines(i, FOUND + timedelta(days=2, hours=2), RULES) == []
    i = then(i, rules.report(i, ReportStage.PRELIMINARY, "0" * 64, "staff", FOUND))
    assert rules.deadlines(i, FOUND + timedelta(days=22), RULES) == []
    (final,) = rules.deadlines(i, FOUND + timedelta(days=23, hours=1), RULES)
    assert isinstance(final, IncidentDueSoon) and final.stage is ReportStage.FINAL


def test_a_report_after_its_deadline_is_recorded_late() -> None:
    i = then(opened(), rules.scope(opened(), scope(special=1), "staff"))
    (late,) = rules.report(i, ReportStage.PRELIMINARY, "0" * 64, "staff",
                           FOUND + timedelta(days=4))  # fmt: skip
    assert isinstance(late, IncidentReported) and late.late


def test_no_warning_and_no_report_for_an_incident_that_need_not_be_reported() -> None:
    i = then(opened(), rules.scope(opened(), scope(), "staff"))
    assert rules.deadlines(i, FOUND + timedelta(days=29), RULES) == []
    with pytest.raises(Refused) as refused:
        rules.report(i, ReportStage.PRELIMINARY, "0" * 64, "staff", FOUND)
    assert refused.value.reason == "incident_not_reportable"


def test_closing_as_handled_needs_the_reports_and_the_notices() -> None:
    i = then(opened(), rules.scope(opened(), scope(special=1), "staff"))
    with pytest.raises(Refused) as refused:
        rules.close(i, IncidentCloseReason.HANDLED, "", "", "staff")
    assert refused.value.reason == "reports_missing"
    for stage in ReportStage:
        i = then(i, rules.report(i, stage, "0" * 64, "staff", FOUND))
    with pytest.raises(Refused) as refused:
        rules.close(i, IncidentCloseReason.HANDLED, "", "", "staff")
    assert refused.value.reason == "notices_missing"
    assert rules.close(i, IncidentCloseReason.HANDLED, "no addresses", "on the site", "staff")
    i = then(i, rules.close(i, IncidentCloseReason.UNFOUNDED, "", "", "staff"))
    with pytest.raises(Refused):
        rules.scope(i, scope(), "staff")


def test_an_incident_cannot_be_found_before_it_started_or_in_the_future() -> None:
    o = opened().opened
    with pytest.raises(Refused):
        rules.open_incident(o.model_copy(update={"discovered_at": o.started_at - timedelta(1)}),
                            FOUND)  # fmt: skip
    with pytest.raises(Refused):
        rules.open_incident(o, FOUND - timedelta(hours=1))
    assert rules.open_incident(o, FOUND) == [o]


def test_each_affected_person_is_notified_once_and_only_once_scoped() -> None:
    from ac_contracts.incidents import Affected

    people = [Affected(subject_id=s, data_categories=[DataCategory.RESUME], special_care=False)
              for s in ("a", "b")]  # fmt: skip
    with pytest.raises(Refused) as refused:
        rules.notify(opened(), people)
    assert refused.value.reason == "incident_unscoped"
    i = then(opened(), rules.scope(opened(), scope(people=2), "staff"))
    first = rules.notify(i, people[:1])
    assert [e.subject_id for e in first] == ["a"]  # type: ignore[attr-defined]
    i = then(i, first)
    assert [e.subject_id for e in rules.notify(i, people)] == ["b"]  # type: ignore[attr-defined]
