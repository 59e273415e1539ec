"""Every (state, action) pair of an application, and who may take each step (domain.py)."""

from __future__ import annotations

import itertools
from uuid import uuid4

import pytest

from ac_contracts.errors import Refused
from ac_events.catalogue import (
    ApplicationState,
    ApplicationStatusChanged,
    ApplicationWithdrawn,
    WithdrawalCause,
)
from ac_matching.domain import (
    MAY,
    OPEN_STATES,
    Action,
    Actor,
    Application,
    access,
    ended_by_erasure,
    move,
    next_state,
)

S, A = ApplicationState, Action

ALLOWED = {
    (S.SUBMITTED, A.REVIEW): S.REVIEWING,
    (S.SUBMITTED, A.INTERVIEW): S.INTERVIEW,
    (S.REVIEWING, A.INTERVIEW): S.INTERVIEW,
    (S.INTERVIEW, A.OFFER): S.OFFER,
    (S.OFFER, A.ACCEPT): S.ACCEPTED,
    (S.OFFER, A.DECLINE): S.DECLINED,
    (S.SUBMITTED, A.REJECT): S.REJECTED,
    (S.REVIEWING, A.REJECT): S.REJECTED,
    (S.INTERVIEW, A.REJECT): S.REJECTED,
    (S.OFFER, A.REJECT): S.REJECTED,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.REVIEWING, A.WITHDRAW): S.WITHDRAWN,
    (S.INTERVIEW, A.WITHDRAW): S.WITHDRAWN,
    (S.OFFER, A.WITHDRAW): S.WITHDRAWN,
}
"""Written out by hand from the issue, not computed from the code under test."""

WHO = {A.REVIEW: {Actor.CLIENT}, A.INTERVIEW: {Actor.CLIENT}, A.OFFER: {Actor.CLIENT},
       A.ACCEPT: {Actor.CLIENT, Actor.STUDENT}, A.DECLINE: {Actor.CLIENT, Actor.STUDENT},
       A.REJECT: {Actor.CLIENT}, A.WITHDRAW: {Actor.STUDENT}}  # fmt: skip

PAIRS = list(itertools.product(S, A))


def test_the_pairs_cover_every_state_and_action() -> None:
    assert len(PAIRS) == 8 * 7
    assert {k: set(v) for k, v in MAY.items()} == WHO


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_state_and_action(state: ApplicationState, action: Action) -> None:
    for actor in Actor:
        if actor not in WHO[action]:
            with pytest.raises(Refused) as refused:
                next_state(state, action, actor)
            assert (refused.value.status, refused.value.reason) == (403, "forbidden")
        elif (state, action) in ALLOWED:
            assert next_state(state, action, actor) is ALLOWED[(state, action)]
        else:
            with pytest.raises(Refused) as refused:
                next_state(state, action, actor)
            assert (refused.value.status, refused.value.reason) == (409, "transition_not_allowed")
            assert refused.value.details == {"state": state.value, "action": action.value}


def test_only_the_four_open_states_can_move() -> None:
    assert {s for s, _ in ALLOWED} == OPEN_STATES


def test_a_step_is_an_event_that_names_who_took_it_and_seals_nothing_itself() -> None:
    app = Application(uuid4(), uuid4(), "org-x", S.INTERVIEW)
    changed = move(app, A.OFFER, Actor.CLIENT, "client-1", "Welcome aboard")
    assert isinstance(changed, ApplicationStatusChanged)
    assert (changed.from_state, changed.to_state, changed.moved_by) == (S.INTERVIEW, S.OFFER,
                                                                       "client-1")  # fmt: skip
    assert changed.message == "Welcome aboard"  # the codec seals it under the student's key
    assert "message" in ApplicationStatusChanged.personal_fields()
    withdrawn = move(app, A.WITHDRAW, Actor.STUDENT, "student-1")
    assert isinstance(withdrawn, ApplicationWithdrawn)
    assert (withdrawn.from_state, withdrawn.cause) == (S.INTERVIEW, WithdrawalCause.STUDENT)


def test_an_erasure_ends_only_open_applications() -> None:
    for state in S:
        ended = ended_by_erasure(Application(uuid4(), uuid4(), "org-x", state))
        assert (ended is not None) == (state in OPEN_STATES)
        assert ended is None or ended.cause is WithdrawalCause.ERASED


def test_the_organisation_reads_what_it_was_sent_only_while_the_student_allows_it() -> None:
    allow = {"decision": "allow", "reason": "consent_granted"}
    withdrawn = {"decision": "deny", "reason": "withdrawn"}
    erased = {"decision": "deny", "reason": "erased"}
    assert access(S.OFFER, False, allow) == "available"
    assert access(S.WITHDRAWN, False, None) == "application_withdrawn"
    assert access(S.REVIEWING, False, withdrawn) == "consent_withdrawn"
    assert access(S.REVIEWING, False, erased) == "erased"
    assert access(S.ACCEPTED, True, allow) == "erased"


def test_a_v1_vacancy_reads_as_an_on_site_permanent_one_and_a_v1_closing_as_withdrawn() -> None:
    from ac_events.catalogue import (
        CloseReason,
        VacancyClosed,
        VacancyKind,
        VacancyPosted,
        WorkMode,
        upcast,
    )

    v1 = {"vacancy_id": str(uuid4()), "organization_id": "org-x", "title": "Backend",
          "description": "", "skills": ["Python"], "location_country": "JP"}  # fmt: skip
    posted = VacancyPosted.model_validate(upcast("VacancyPosted", 1, v1))
    assert (posted.kind, posted.work_mode, posted.places, posted.form) == (
        VacancyKind.PERMANENT, WorkMode.ON_SITE, 1, ())  # fmt: skip
    closed = VacancyClosed.model_validate(
        upcast("VacancyClosed", 1, {"vacancy_id": v1["vacancy_id"]})
    )
    assert closed.reason is CloseReason.WITHDRAWN
