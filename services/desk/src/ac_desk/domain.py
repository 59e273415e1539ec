"""The desk's rules, pure: what a request needs, step-up verification, answers, the thread,
deadlines. Each decision takes the request's state (`case.Case`) and the time, and returns
the events to record, or raises `Refused`.

Step-up: a request made on the web that discloses or destroys data (a disclosure, an
erasure, a change of the email address) does nothing until the person gives their
password again and the one-time code sent to their verified address (valid
`code_ttl`, `code_tries` wrong tries). A request staff file (by post, by phone)
records how they verified the person instead. The deadline runs from filing, or from
the verification.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from ac_contracts.desk import value_problem
from ac_contracts.errors import Refused
from ac_desk.case import Case, Status
from ac_events.catalogue import (
    FIELD_KINDS,
    TICKET_KINDS,
    Channel,
    Event,
    IdentityVerified,
    Language,
    MessagePosted,
    Outcome,
    ProfileField,
    Purpose,
    RequestAnswered,
    RequestAssigned,
    RequestClosed,
    RequestCloseReason,
    RequestDueSoon,
    RequestEscalated,
    RequestFiled,
    RequestKind,
    VerificationCodeIssued,
    VerificationFailed,
    VerificationMethod,
)


@dataclass(frozen=True, slots=True)
class Rules:
    target: timedelta
    warn_before: timedelta
    code_ttl: timedelta
    code_tries: int
    codes_per_request: int
    resend_after: timedelta
    disclosure_for: timedelta
    supervisors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StaffVerification:
    """How staff verified a person who asked by post or phone (never a copy of a document)."""

    method: VerificationMethod
    document: str
    staff: str


@dataclass(frozen=True, slots=True)
class File:
    request_id: UUID
    kind: RequestKind
    language: Language = Language.JA
    channel: Channel = Channel.WEB
    account: bool = True
    field: ProfileField | None = None
    value: str | None = None
    purpose: Purpose | None = None
    recipient: str | None = None
    title: str | None = None
    details: str | None = None
    reply_to: str | None = None
    staff: StaffVerification | None = None
    code: str | None = None
    """The first step-up code, when the request needs one."""


def needs_step_up(kind: RequestKind, field: ProfileField | None) -> bool:
    """It discloses or destroys data: full disclosure, erasure, a change of the email."""
    return kind in (RequestKind.DISCLOSURE, RequestKind.ERASURE) or (
        kind in FIELD_KINDS and field == ProfileField.EMAIL
    )


def _complete(c: File) -> None:
    if c.kind in FIELD_KINDS:
        if c.field is None:
            raise Refused("incomplete_request", "a correction, addition or deletion names a field")
        if c.kind == RequestKind.DELETION and c.field in (ProfileField.NAME, ProfileField.EMAIL):
            raise Refused("field_required", f"{c.field.value} cannot be deleted")
        if c.kind != RequestKind.DELETION and c.field != ProfileField.OTHER and not c.value:
            raise Refused("value_required", "give the new value")
        problem = value_problem(c.field, c.value)
        if problem:
            raise Refused("value_not_taken", problem)
        if c.field == ProfileField.OTHER and not c.details:
            raise Refused("incomplete_request", "describe the data in `details`")
    if c.kind == RequestKind.CESSATION_OF_USE and c.purpose is None:
        raise Refused("incomplete_request", "a cessation of use names the purpose")
    if c.kind == RequestKind.CESSATION_OF_PROVISION and c.recipient is None:
        raise Refused("incomplete_request", "a cessation of provision names the recipient")
    if c.kind in TICKET_KINDS and not c.details:
        raise Refused("incomplete_request", "a complaint or an enquiry says what it is about")


def file(c: File, now: datetime, rules: Rules) -> list[Event]:
    _complete(c)
    step_up = c.staff is None and needs_step_up(c.kind, c.field)
    if step_up and c.code is None:
        raise ValueError("a request that needs step-up is filed with its first code")
    filed = RequestFiled(
        request_id=c.request_id, kind=c.kind, channel=c.channel,
        filed_by=c.staff.staff if c.staff else None, account=c.account, language=c.language,
        field=c.field, value=c.value, purpose=c.purpose, recipient=c.recipient, title=c.title,
        details=c.details, reply_to=c.reply_to, needs_verification=step_up or c.staff is not None,
        due_at=None if step_up else now + rules.target,
    )  # fmt: skip
    if c.staff is not None:
        verified = IdentityVerified(request_id=c.request_id, method=c.staff.method,
                                    document=c.staff.document, verified_by=c.staff.staff,
                                    due_at=now + rules.target)  # fmt: skip
        return [filed, verified]
    if step_up:
        assert c.code is not None
        return [filed, _code(c.request_id, c.code, 1, now, rules)]
    return [filed]


def _code(request_id: UUID, code: str, number: int, now: datetime, rules: Rules) -> Event:
    return VerificationCodeIssued(request_id=request_id, code=code,
                                  expires_at=now + rules.code_ttl, number=number)  # fmt: skip


def _open(case: Case) -> None:
    if case.closed_at is not None:
        raise Refused("request_closed", "the request is closed")


def _verified(case: Case) -> None:
    _open(case)
    if not case.verified:
        raise Refused("not_verified", "the request waits for the person's identity to be verified")


# ---------------------------------------------------------------- step-up verification


def issue_code(case: Case, code: str, now: datetime, rules: Rules) -> list[Event]:
    """A new code (the last one expired, or was tried wrongly too often)."""
    _open(case)
    if not case.needs_verification or case.verified_at is not None:
        raise Refused("verification_not_needed", "this request needs no code")
    soon = case.code_issued_at is not None and now < case.code_issued_at + rules.resend_after
    if case.codes >= rules.codes_per_request or soon:
        raise Refused("too_many_codes", "too many codes for this request, or asked too soon")
    return [_code(case.request_id, code, case.codes + 1, now, rules)]


def ready_to_verify(case: Case, now: datetime, rules: Rules) -> bool:
    """False: verified already. Raises the refusal when no try can be made now."""
    _open(case)
    if not case.needs_verification:
        raise Refused("verification_not_needed", "this request needs no step-up verification")
    if case.verified_at is not None:
        return False
    if case.code is None or case.code_expires_at is None or now > case.code_expires_at:
        raise Refused("code_expired", "the code has expired: ask for a new one")
    if case.tries >= rules.code_tries:
        raise Refused("code_tries_used", "the code was tried wrongly too often: ask for a new one")
    return True


@dataclass(frozen=True, slots=True)
class Verification:
    events: list[Event]
    passed: bool


def verify(case: Case, password_ok: bool, code: str, now: datetime, rules: Rules) -> Verification:
    """The password (as identity judged it) and the code; a wrong one is recorded, and which
    of the two was wrong is not said."""
    if not ready_to_verify(case, now, rules):
        return Verification([], True)
    assert case.code is not None
    right_code = hmac.compare_digest(case.code.encode(), code.encode())
    if not (password_ok and right_code):
        return Verification([VerificationFailed(request_id=case.request_id,
                                                tries=case.tries + 1)], False)  # fmt: skip
    verified = IdentityVerified(request_id=case.request_id,
                                method=VerificationMethod.PASSWORD_AND_CODE,
                                due_at=now + rules.target)  # fmt: skip
    return Verification([verified], True)


# ---------------------------------------------------------------- staff, answers, the thread


def assign(case: Case, assignee: str, by: str) -> list[Event]:
    _verified(case)
    if case.assignee == assignee:
        return []
    return [RequestAssigned(request_id=case.request_id, assignee=assignee, assigned_by=by)]


def answer(
    case: Case,
    outcome: Outcome,
    reason: str,
    by: str | None,
    actions: tuple[str, ...] = (),
) -> list[Event]:
    """The answer; a request (not a ticket, whose thread goes on) is closed with it."""
    _verified(case)
    if case.answers:
        raise Refused("already_answered", "the request has its answer: write in its thread")
    if (outcome == Outcome.ANSWERED) != case.ticket:
        raise Refused("invalid_input", "`answered` is the outcome of a complaint or an enquiry")
    answered = RequestAnswered(request_id=case.request_id, outcome=outcome, reason=reason,
                               answered_by=by, actions=actions)  # fmt: skip
    if case.ticket:
        return [answered]
    return [answered, RequestClosed(request_id=case.request_id, closed_by=by)]


def post(case: Case, message_id: UUID, body: str, staff: str | None) -> list[Event]:
    """A message in the thread: the person's, or a staff member's."""
    _verified(case)
    by = "staff" if staff else "person"
    return [MessagePosted(request_id=case.request_id, message_id=message_id, by=by,
                          author=staff, body=body)]  # fmt: skip


def close(
    case: Case, by: str | None, reason: RequestCloseReason = RequestCloseReason.ANSWERED
) -> list[Event]:
    if case.closed_at is not None:
        return []
    return [RequestClosed(request_id=case.request_id, reason=reason, closed_by=by)]


def deadlines(case: Case, now: datetime, rules: Rules) -> list[Event]:
    """A warning before the due date; an escalation to the supervisors once past it."""
    if case.status != Status.OPEN or case.due_at is None:
        return []
    if now >= case.due_at:
        if case.escalated_at is not None:
            return []
        return [RequestEscalated(request_id=case.request_id, due_at=case.due_at,
                                 notify=rules.supervisors)]  # fmt: skip
    if now >= case.due_at - rules.warn_before and case.warned_at is None:
        notify = (case.assignee,) if case.assignee else rules.supervisors
        return [RequestDueSoon(request_id=case.request_id, due_at=case.due_at, notify=notify)]
    return []


def disclosure_until(case: Case, now: datetime, rules: Rules) -> datetime:
    """Until when the answered disclosure can be downloaded, or the refusal."""
    if case.kind != RequestKind.DISCLOSURE:
        raise Refused("not_a_disclosure", "this request is not a disclosure")
    granted = [a for a in case.answers if a.outcome == Outcome.GRANTED]
    if not case.verified:
        raise Refused("not_verified", "the request waits for the person's identity to be verified")
    if not granted:
        raise Refused("not_a_disclosure", "the disclosure is not answered yet")
    until = granted[0].at + rules.disclosure_for
    if now > until:
        raise Refused("disclosure_expired", "the disclosure is no longer available: ask again")
    return until


# ---------------------------------------------------------------- what the desk says itself

_SAID = {
    "disclosure": {
        Language.EN: "Your identity is verified. Your disclosure is ready: everything we hold "
        "about you, with every record of its provision to third parties. You can download it "
        "from your page for {days} days.",
        Language.JA: "ご本人確認が完了しました。開示の準備ができました(当社が保有するご本人の情報と、"
        "第三者提供の記録のすべて)。{days}日間、マイページからダウンロードできます。",
    },
    "erasure": {
        Language.EN: "Your identity is verified and your erasure is under way: your account is "
        "closed, and your data key is destroyed shortly, which makes every copy of your "
        "personal data unreadable.",
        Language.JA: "ご本人確認が完了し、消去を開始しました。アカウントは閉鎖され、まもなくデータ鍵が"
        "破棄されて、ご本人の個人データはすべて読めなくなります。",
    },
    "email": {
        Language.EN: "Your identity is verified and your email address is changed.",
        Language.JA: "ご本人確認が完了し、メールアドレスを変更しました。",
    },
    "stopped": {
        Language.EN: "Done: we withdrew {count} consent(s) on your behalf; nothing more flows "
        "for them from now on.",
        Language.JA: "対応しました。ご本人に代わり同意を{count}件撤回しました。今後、これらに基づく"
        "利用・提供は行いません。",
    },
}


def said(what: str, language: Language, **params: object) -> str:
    """The desk's own words for what it did at once, in the person's language."""
    return _SAID[what][language].format(**params)
