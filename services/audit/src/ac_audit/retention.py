"""The audit's `retention` rule [D] #16: every record kept for its period, and no longer
(`ac_events.retention`, one table of periods per kind of record).

- **removed before its period**: a retention job's record (`RecordsRemoved`) whose
  cutoff is later than its own time less the kind's period: it removed records still
  within it;
- **kept past its period**: a record the log shows (a provision, a guest's closed
  request, a delivered message) whose period and grace have ended by the log's "now"
  (the audit's `until`, else the latest event), and that no removal has reached (no
  run of its kind with a cutoff past the record's start).

The log says how many each run removed, never which: the rule judges coverage by
cutoffs, not by the count.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ac_audit.state import LogState, Meta, Raw
from ac_contracts.audit import Finding, RuleResult
from ac_events.catalogue import RecordKind
from ac_events.retention import RETENTION

NAME = "retention"
TITLE = "Every record is kept for its period, and no longer"
DESCRIPTION = (
    "No retention job removed records of a kind before their period ended (its cutoff "
    "within the period), and no record the log shows (a provision, a guest's closed "
    "request, a delivered message) was kept past its period and grace with no removal "
    "reaching it (ac_events/retention.yaml)."
)


def _finding(meta: Meta, detail: str) -> Finding:
    return Finding(rule=NAME, event_id=meta.event_id, stream_id=meta.stream_id,
                   subject_id=meta.subject_id, topic=meta.topic, detail=detail)  # fmt: skip


def _early(run: Raw) -> Finding | None:
    kind = RecordKind(run.payload["kind"])
    cutoff = datetime.fromisoformat(run.payload["cutoff"])
    allowed = run.meta.occurred_at - RETENTION[kind].period
    if cutoff <= allowed:
        return None
    days = (cutoff - allowed).total_seconds() / 86400
    return _finding(run.meta, f"removed {kind.value} records {days:.1f} days before their "
                    f"period of {RETENTION[kind].days} days ended (cutoff {cutoff.isoformat()})")  # fmt: skip


def _records(state: LogState) -> dict[RecordKind, list[tuple[Meta, datetime]]]:
    return {
        RecordKind.PROVISION_RECORD: [
            (s.meta, datetime.fromisoformat(s.payload["shared_at"]))
            for s in state.shares if s.payload.get("shared_at")
        ],
        RecordKind.GUEST_REQUEST: [(m, m.occurred_at) for m in state.guest_closed],
        RecordKind.MESSAGE_BODY: [(m, m.occurred_at) for m in state.deliveries],
    }  # fmt: skip


def retention(state: LogState, now: datetime | None = None) -> RuleResult:
    now = now or state.until or state.last_at
    findings: list[Finding] = [f for run in state.removals if (f := _early(run)) is not None]
    reach: dict[RecordKind, datetime] = {}
    for run in state.removals:
        kind, cutoff = (
            RecordKind(run.payload["kind"]),
            datetime.fromisoformat(run.payload["cutoff"]),
        )
        reach[kind] = max(cutoff, reach.get(kind, cutoff))
    records = _records(state)
    if now is not None:
        findings += _kept(records, reach, now)
    checked = len(state.removals) + sum(len(items) for items in records.values())
    return RuleResult(name=NAME, title=TITLE, description=DESCRIPTION, checked=checked,
                      findings=findings)  # fmt: skip


def _kept(
    records: dict[RecordKind, list[tuple[Meta, datetime]]],
    reach: dict[RecordKind, datetime],
    now: datetime,
) -> Iterable[Finding]:
    for kind, items in records.items():
        period, reached = RETENTION[kind], reach.get(kind)
        for meta, start in items:
            due = start + period.period + period.grace
            if due < now and (reached is None or start >= reached):
                yield _finding(meta, f"a {kind.value} from {start.date().isoformat()} kept "
                               f"past its period of {period.days} days (due for removal by "
                               f"{due.date().isoformat()}); no removal reached it")  # fmt: skip
