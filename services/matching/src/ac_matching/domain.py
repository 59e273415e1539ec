"""The matching service's rules, pure: what an application sends, what a client may see.

- A provision sends only the data items the application names, built from the
  person's details, CV and form answers (`snapshot`); its SHA-256 goes in `DataShared`.
- A denied provision tells the student which consent is missing (`missing_consent`).
- Before a student applies, a client sees candidates only by an anonymous
  reference (`candidate_ref`: keyed per vacancy, so references do not link
  across vacancies), their score, and the vacancy's own skills that matched.
- Vacancies (`vacancies.py`) and application states (`applications.py`) have rules of
  their own; forms are in `forms.py`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

import orjson

from ac_contracts.errors import Refused
from ac_events.catalogue import (
    ApplicationState,
    ApplicationStatusChanged,
    ApplicationWithdrawn,
    DataCategory,
    DecisionReason,
    MatchingPreferences,
    ResumeContent,
    Role,
    VacancyKind,
    WithdrawalCause,
    WorkMode,
)
from ac_matching.ranking import tokenize

DEFAULT_ITEMS = (
    DataCategory.NAME,
    DataCategory.CONTACT,
    DataCategory.SCHOOL,
    DataCategory.RESUME,
)
"""What an application sends unless the student names fewer items."""

METHOD = "bm25-v1"


NO_RESUME = "matching has no CV of yours: submit one (a CV just submitted arrives in a moment)"
"""CVs reach matching through resumes.events, so a 409 `resume_not_here_yet` right after a
submission means "not yet": try again shortly."""


@dataclass(frozen=True, slots=True)
class SeenResume:
    """The CV a student last wrote, as resumes answered it: a consistency token. Matching
    answers on that CV or not at all, never on an older one it still holds."""

    resume_id: UUID
    revision: int


def check_resume(resume_id: UUID, revision: int, seen: SeenResume | None) -> None:
    """Refuses (409) when the CV matching holds is not yet the one the student last wrote."""
    if seen is not None and (resume_id != seen.resume_id or revision < seen.revision):
        raise Refused(
            "resume_not_here_yet",
            f"matching does not have revision {seen.revision} of your CV yet: try again shortly",
        )


def current_resume(row: Mapping[str, Any] | None, seen: SeenResume | None) -> Mapping[str, Any]:
    """The CV row matching holds, if it is the one to answer on (else the 409 that says why)."""
    if row is None:
        raise Refused("resume_not_here_yet", NO_RESUME)
    check_resume(row["resume_id"], row["revision"], seen)
    return row


def items_to_send(
    requested: Iterable[DataCategory] | None, has_form: bool = False
) -> tuple[DataCategory, ...]:
    """The items an application (or a disclosure) sends: those named, or the default; a
    vacancy's form answers always go with an application to it, and only then."""
    wanted = set(requested or DEFAULT_ITEMS)
    if has_form:
        wanted.add(DataCategory.APPLICATION_FORM)
    elif DataCategory.APPLICATION_FORM in wanted:
        raise Refused("unsendable_items", "cannot send: ['application_form'] (no form here)")
    return tuple(sorted(wanted))


def snapshot(
    items: Iterable[DataCategory],
    details: dict[str, Any],
    cv: ResumeContent,
    form: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The data a recipient receives: only the items named (`form`: the questions with the
    student's answers, `forms.answered`)."""
    parts: dict[DataCategory, Any] = {
        DataCategory.APPLICATION_FORM: form or [],
        DataCategory.NAME: details.get("name"),
        DataCategory.CONTACT: {"email": details.get("email")},
        DataCategory.SCHOOL: details.get("school"),
        DataCategory.GENDER: details.get("gender"),
        DataCategory.RESUME: cv.model_dump(mode="json"),
        DataCategory.EDUCATION: list(cv.education),
        DataCategory.EXPERIENCE: list(cv.experience),
        DataCategory.SKILLS: list(cv.skills),
        DataCategory.LANGUAGES: list(cv.languages),
        DataCategory.PREFERENCES: {
            "desired_roles": list(cv.desired_roles),
            "desired_locations": list(cv.desired_locations),
        },
    }
    return {item.value: parts[item] for item in items}


def snapshot_bytes(snap: dict[str, Any]) -> bytes:
    return orjson.dumps(snap, option=orjson.OPT_SORT_KEYS)


def snapshot_sha256(snap: dict[str, Any]) -> str:
    return hashlib.sha256(snapshot_bytes(snap)).hexdigest()


def missing_consent(
    reason: DecisionReason, legal_name: str, country: str, sensitive: Iterable[str]
) -> str:
    """What the student must consent to for the application to go through."""
    to = f"client_application to {legal_name} ({country})"
    messages = {
        DecisionReason.NO_CONSENT: f"no consent to {to}",
        DecisionReason.WITHDRAWN: f"your consent to {to} was withdrawn",
        DecisionReason.REGION_NOT_COVERED: f"your consent does not cover {country}: consent to {to}",
        DecisionReason.RECONSENT_REQUIRED: f"the policy changed: choose again for {to}",
        DecisionReason.CATEGORIES_NOT_COVERED: f"your consent to {to} does not cover these items",
        DecisionReason.SENSITIVE_NOT_COVERED: (
            f"your consent to {to} does not name {', '.join(sorted(sensitive))}"
        ),
        DecisionReason.OBJECTED_TO_TRANSFER: "you objected to the business transfer concerned",
        DecisionReason.ERASED: "this person has been erased",
    }
    return messages.get(reason, f"not allowed ({reason.value})")[:500]


def candidate_ref(key: bytes, vacancy_id: str, subject_id: str) -> str:
    mac = hmac.new(key, f"{vacancy_id}:{subject_id}".encode(), hashlib.sha256)
    return "cand_" + mac.hexdigest()[:20]


def candidate_skills(vacancy_skills: Iterable[str], terms: frozenset[str]) -> list[str]:
    """The vacancy's own skills that a candidate's (client-safe) terms hold: every term of
    the skill is among them. The only thing of the CV a client sees before an application."""
    out = []
    for skill in vacancy_skills:
        wanted = set(tokenize(skill))
        if wanted and wanted <= terms:
            out.append(skill)
    return out


def match_reasons(cv_skills: Iterable[str], vacancy_skills: Iterable[str]) -> list[tuple[str, str]]:
    """Which of the student's skills matched which of the vacancy's: the terms of one hold
    every term of the other ("Python 3" and "Python"; "データ分析" and "データ分析業務")."""
    theirs = [(v, frozenset(tokenize(v))) for v in vacancy_skills]
    reasons = []
    for skill in cv_skills:
        mine = frozenset(tokenize(skill))
        if not mine:
            continue
        for v, terms in theirs:
            if terms and (terms <= mine or mine <= terms):
                reasons.append((skill, v))
    return reasons


def check_can_apply(
    vacancy: Mapping[str, Any] | None, applied_before: bool, now: datetime
) -> Mapping[str, Any]:
    """The vacancy applied to, if an application to it may be made now."""
    if vacancy is None:
        raise Refused("unknown_vacancy", "no such vacancy")
    deadline = vacancy["deadline"]
    if not vacancy["open"] or (deadline is not None and deadline <= now):
        raise Refused("vacancy_closed", "this vacancy is closed")
    if applied_before:
        raise Refused("already_applied", "you have applied to this vacancy")
    return vacancy


def own_vacancy(
    vacancy: Mapping[str, Any] | None, organization_id: str | None, by_client: bool
) -> Mapping[str, Any]:
    """The vacancy, if the caller may manage it: a client only its own organisation's."""
    if vacancy is None or (by_client and vacancy["organization_id"] != organization_id):
        raise Refused("no_such_vacancy", "no such vacancy of your organisation")
    return vacancy


def within_quota(used: int, limit: int, what: str) -> None:
    """[H] issue 14 item 6: an organisation's candidate views and vacancy postings are
    bounded per hour, so no one account can page through every student."""
    if used > limit:
        raise Refused("quota_exceeded", f"your organisation reached its limit of {limit} {what}"
                      " an hour: try later", limit=limit)  # fmt: skip


# ---------------------------------------------------------------- application states


class Action(StrEnum):
    REVIEW = "review"
    INTERVIEW = "interview"
    OFFER = "offer"
    ACCEPT = "accept"
    DECLINE = "decline"
    REJECT = "reject"
    WITHDRAW = "withdraw"


class Actor(StrEnum):
    CLIENT = "client"
    """A user of the organisation applied to."""
    STUDENT = "student"
    """The student who applied."""


S = ApplicationState
OPEN_STATES = frozenset({S.SUBMITTED, S.REVIEWING, S.INTERVIEW, S.OFFER})
"""An application in one of these can still move; the others are where it ended."""

TRANSITIONS: Mapping[tuple[ApplicationState, Action], ApplicationState] = {
    (S.SUBMITTED, Action.REVIEW): S.REVIEWING,
    (S.SUBMITTED, Action.INTERVIEW): S.INTERVIEW,
    (S.REVIEWING, Action.INTERVIEW): S.INTERVIEW,
    (S.INTERVIEW, Action.OFFER): S.OFFER,
    (S.OFFER, Action.ACCEPT): S.ACCEPTED,
    (S.OFFER, Action.DECLINE): S.DECLINED,
    **{(state, Action.REJECT): S.REJECTED for state in OPEN_STATES},
    **{(state, Action.WITHDRAW): S.WITHDRAWN for state in OPEN_STATES},
}
"""submitted -> reviewing -> interview -> offer -> accepted | declined (an organisation may
invite to an interview straight from submitted); rejected from any open state; withdrawn
(by the student) from any open state. Nothing else."""

MAY: Mapping[Action, frozenset[Actor]] = {
    Action.REVIEW: frozenset({Actor.CLIENT}),
    Action.INTERVIEW: frozenset({Actor.CLIENT}),
    Action.OFFER: frozenset({Actor.CLIENT}),
    Action.ACCEPT: frozenset({Actor.CLIENT, Actor.STUDENT}),
    Action.DECLINE: frozenset({Actor.CLIENT, Actor.STUDENT}),
    Action.REJECT: frozenset({Actor.CLIENT}),
    Action.WITHDRAW: frozenset({Actor.STUDENT}),
}
"""Who may take each step: the organisation moves an application; the student answers an
offer (or the organisation records the answer) and may withdraw."""


def next_state(state: ApplicationState, action: Action, actor: Actor) -> ApplicationState:
    """Where `action` by `actor` takes an application in `state`, or the refusal."""
    if actor not in MAY[action]:
        raise Refused("forbidden", f"a {actor.value} cannot {action.value} an application")
    to = TRANSITIONS.get((state, action))
    if to is None:
        raise Refused("transition_not_allowed", f"an application that is {state.value} cannot"
                      f" take the step {action.value}", state=state.value, action=action.value)  # fmt: skip
    return to


@dataclass(frozen=True, slots=True)
class Application:
    """What a decision about an application reads."""

    application_id: UUID
    vacancy_id: UUID
    organization_id: str
    state: ApplicationState


def move(
    app: Application, action: Action, actor: Actor, by: str, message: str | None = None
) -> ApplicationStatusChanged | ApplicationWithdrawn:
    """The event of one step: `ApplicationWithdrawn` for a withdrawal, else the change."""
    to = next_state(app.state, action, actor)
    ids = {"application_id": app.application_id, "vacancy_id": app.vacancy_id,
           "organization_id": app.organization_id, "from_state": app.state}  # fmt: skip
    if to is S.WITHDRAWN:
        return ApplicationWithdrawn(**ids, cause=WithdrawalCause.STUDENT)
    role = Role.CLIENT if actor is Actor.CLIENT else Role.STUDENT
    return ApplicationStatusChanged(**ids, to_state=to, moved_by=by, moved_by_role=role,
                                    message=message)  # fmt: skip


def ended_by_erasure(app: Application) -> ApplicationWithdrawn | None:
    """An erased student's open application ends (its organisation is told)."""
    if app.state not in OPEN_STATES:
        return None
    return ApplicationWithdrawn(application_id=app.application_id, vacancy_id=app.vacancy_id,
                                organization_id=app.organization_id, from_state=app.state,
                                cause=WithdrawalCause.ERASED)  # fmt: skip


Access = Literal["available", "application_withdrawn", "consent_withdrawn", "erased"]


def access(state: ApplicationState, erased: bool, decision: Mapping[str, Any] | None) -> Access:
    """May the organisation read what an application sent it, now? Not once the student
    withdrew it, or withdrew the consent it rested on (the consent service's decision for the
    same items, now), nor once the student is erased. The record of the provision stays."""
    if erased:
        return "erased"
    if state is S.WITHDRAWN:
        return "application_withdrawn"
    if decision is not None and decision["decision"] != "allow":
        return "erased" if decision["reason"] == DecisionReason.ERASED else "consent_withdrawn"
    return "available"


# ---------------------------------------------------------------- internship matching


@dataclass(frozen=True, slots=True)
class Opportunity:
    """What a student's preferences are checked against."""

    kind: VacancyKind
    work_mode: WorkMode
    start: date | None = None
    end: date | None = None
    duration_weeks: int | None = None


def fits(prefs: MatchingPreferences, v: Opportunity) -> bool:
    """A vacancy a student would consider: one of the kinds they want, one of the ways of
    working they accept, and (for an internship) inside one of the periods they are free,
    or, for an internship given as a duration, as long as one of them. Nothing stated:
    anything fits. Matching keeps to this before ranking (`live.py` vectorises it)."""
    if prefs.kinds and v.kind not in prefs.kinds:
        return False
    if prefs.work_modes and v.work_mode not in prefs.work_modes:
        return False
    if not prefs.available or v.kind is not VacancyKind.INTERNSHIP:
        return True
    if v.start is not None and v.end is not None:
        start, end = v.start, v.end
        return any(p.start <= start and end <= p.end for p in prefs.available)
    days = (v.duration_weeks or 0) * 7
    return any((p.end - p.start).days + 1 >= days for p in prefs.available)
