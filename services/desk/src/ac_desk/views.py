"""The desk's read models: a request as its page shows it (folded from its stream, what
people wrote decrypted), a row of a list or the queue (the view), the monthly report."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

import asyncpg

from ac_contracts.desk import (
    AnswerOut,
    MessageOut,
    MonthReport,
    Report,
    RequestListed,
    RequestOut,
    Verification,
)
from ac_desk.case import Case
from ac_desk.domain import Rules, disclosure_until
from ac_events.catalogue import Outcome, RequestKind


def request_out(case: Case, now: datetime, rules: Rules) -> RequestOut:
    until = None
    if case.kind == RequestKind.DISCLOSURE and any(
        a.outcome == Outcome.GRANTED for a in case.answers
    ):
        until = case.answers[0].at + rules.disclosure_for
    tries_left = rules.code_tries - case.tries if case.code is not None else None
    return RequestOut(
        request_id=case.request_id, subject_id=case.subject_id, kind=case.kind,
        channel=case.channel, account=case.account, status=case.status.value,
        filed_at=case.filed_at, due_at=case.due_at, overdue=case.overdue(now),
        assignee=case.assignee, answered_at=case.answered_at,
        outcome=case.answers[0].outcome if case.answers else None, language=case.language,
        filed_by=case.filed_by, field=case.field, value=case.value, purpose=case.purpose,
        recipient=case.recipient, title=case.title, details=case.details,
        verification=Verification(
            needed=case.needs_verification, verified_at=case.verified_at,
            method=case.verification_method, document=case.document,
            code_expires_at=case.code_expires_at if case.code else None, tries_left=tries_left,
        ),
        answers=[AnswerOut(outcome=a.outcome, reason=a.reason, answered_by=a.answered_by,
                           actions=list(a.actions), at=a.at) for a in case.answers],
        messages=[MessageOut(message_id=m.message_id, by=m.by,
                             author=m.author, body=m.body, at=m.at) for m in case.messages],
        closed_at=case.closed_at, disclosure_until=until,
    )  # fmt: skip


def listed(row: asyncpg.Record, now: datetime) -> RequestListed:
    overdue = row["status"] == "open" and row["due_at"] is not None and now > row["due_at"]
    return RequestListed(overdue=overdue, **{k: row[k] for k in RequestListed.model_fields
                                             if k != "overdue"})  # fmt: skip


def report(rows: list[asyncpg.Record], target_days: int) -> Report:
    months: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        months[r["month"]].append(r)
    out = []
    for month, items in sorted(months.items()):
        days = [float(r["days"]) for r in items if r["days"] is not None]
        by_kind: dict[RequestKind, int] = defaultdict(int)
        for r in items:
            by_kind[RequestKind(r["kind"])] += 1
        out.append(MonthReport(
            month=month, by_kind=dict(by_kind), answered=len(days),
            median_days=round(statistics.median(days), 2) if days else None,
            worst_days=round(max(days), 2) if days else None,
            overdue=sum(1 for r in items if r["overdue"]),
        ))  # fmt: skip
    return Report(target_days=target_days, months=out)


__all__ = ["disclosure_until", "listed", "report", "request_out"]
