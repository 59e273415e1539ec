"""A request as its stream tells it: `evolve(case, event, at)` folds one event in.

The same fold serves the commands (the state a decision is made on), the
desk's view (the row of the queue) and the person's page (answers and the
thread). Personal values arrive as the codec opened them: their text, or a
`Redacted` stand-in once the key is gone (kept as None here).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from ac_events.catalogue import (
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
    RequestDueSoon,
    RequestEscalated,
    RequestFiled,
    RequestKind,
    VerificationCodeIssued,
    VerificationFailed,
    VerificationMethod,
)


class Status(StrEnum):
    AWAITING_VERIFICATION = "awaiting_verification"
    """Nothing happens until the person passes step-up verification."""
    OPEN = "open"
    """In the staff queue (or being carried out), not answered yet."""
    ANSWERED = "answered"
    """A complaint or an enquiry answered, its thread still open."""
    CLOSED = "closed"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: Outcome
    reason: str | None
    answered_by: str | None
    actions: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class Message:
    message_id: UUID
    by: str
    author: str | None
    body: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Case:
    request_id: UUID
    subject_id: str
    kind: RequestKind
    channel: Channel
    account: bool
    language: Language
    filed_at: datetime
    filed_by: str | None
    needs_verification: bool
    due_at: datetime | None
    field: ProfileField | None = None
    value: str | None = None
    purpose: Purpose | None = None
    recipient: str | None = None
    title: str | None = None
    details: str | None = None
    reply_to: str | None = None
    version: int = 0
    """The stream's version this state was folded to."""
    verified_at: datetime | None = None
    verification_method: VerificationMethod | None = None
    document: str | None = None
    code: str | None = None
    code_expires_at: datetime | None = None
    code_issued_at: datetime | None = None
    codes: int = 0
    tries: int = 0
    assignee: str | None = None
    answers: tuple[Answer, ...] = ()
    messages: tuple[Message, ...] = ()
    closed_at: datetime | None = None
    warned_at: datetime | None = None
    escalated_at: datetime | None = None

    @property
    def ticket(self) -> bool:
        return self.kind in TICKET_KINDS

    @property
    def verified(self) -> bool:
        return not self.needs_verification or self.verified_at is not None

    @property
    def answered_at(self) -> datetime | None:
        return self.answers[0].at if self.answers else None

    @property
    def started_at(self) -> datetime:
        """When the deadline started to run: filing, or the identity's verification."""
        return self.verified_at or self.filed_at

    @property
    def status(self) -> Status:
        if self.closed_at is not None:
            return Status.CLOSED
        if not self.verified:
            return Status.AWAITING_VERIFICATION
        return Status.ANSWERED if self.answers else Status.OPEN

    def overdue(self, now: datetime) -> bool:
        """Unanswered past its due date (an answered one may have been late: `late`)."""
        return (
            self.due_at is not None
            and not self.answers
            and self.closed_at is None
            and now > self.due_at
        )

    @property
    def late(self) -> bool:
        at = self.answered_at
        return at is not None and self.due_at is not None and at > self.due_at


def filed(e: RequestFiled, subject_id: str, at: datetime, version: int = 1) -> Case:
    return Case(
        request_id=e.request_id, subject_id=subject_id, kind=e.kind, channel=e.channel,
        account=e.account, language=e.language, filed_at=at, filed_by=e.filed_by,
        needs_verification=e.needs_verification, due_at=e.due_at, field=e.field,
        value=_text(e.value), purpose=e.purpose, recipient=e.recipient, title=_text(e.title),
        details=_text(e.details), reply_to=_text(e.reply_to), version=version,
    )  # fmt: skip


def evolve(case: Case, e: Event, at: datetime) -> Case:
    """The case after one more event of its stream (recorded at `at`)."""
    case = replace(case, version=case.version + 1)
    if isinstance(e, VerificationCodeIssued):
        return replace(case, code=_text(e.code), code_expires_at=e.expires_at,
                       code_issued_at=at, codes=e.number, tries=0)  # fmt: skip
    if isinstance(e, VerificationFailed):
        return replace(case, tries=e.tries)
    if isinstance(e, IdentityVerified):
        return replace(case, verified_at=at, verification_method=e.method,
                       document=e.document, due_at=e.due_at, code=None)  # fmt: skip
    if isinstance(e, RequestAssigned):
        return replace(case, assignee=e.assignee)
    if isinstance(e, RequestAnswered):
        answer = Answer(e.outcome, _text(e.reason), e.answered_by, e.actions, at)
        return replace(case, answers=(*case.answers, answer))
    if isinstance(e, MessagePosted):
        message = Message(e.message_id, e.by, e.author, _text(e.body), at)
        return replace(case, messages=(*case.messages, message))
    if isinstance(e, RequestDueSoon):
        return replace(case, warned_at=at)
    if isinstance(e, RequestEscalated):
        return replace(case, escalated_at=at)
    if isinstance(e, RequestClosed):
        return replace(case, closed_at=at)
    return case


def fold(history: list[tuple[Event, datetime, str | None]]) -> Case | None:
    """A request from its stream's events (event, recorded at, subject), or None."""
    if not history:
        return None
    first, at, subject = history[0]
    if not isinstance(first, RequestFiled) or subject is None:
        raise ValueError("a request's stream starts with RequestFiled, for a person")
    case = filed(first, subject, at)
    for event, when, _ in history[1:]:
        case = evolve(case, event, when)
    return case
