"""The audit's rules of [B] #17: processors and incidents, from the log alone.

- `processor_registered`: every processor abroad in the register names its basis of
  equivalent measures (APPI art. 28), and every provision for outsourced processing
  (`DataShared`, purpose `outsourced_processing`) went to a processor registered then (not
  retired), whose entrusted categories cover the items provided;
- `incident_handled`: every reportable incident had its preliminary and final reports
  recorded by their deadlines (judged once a deadline has passed), and one closed as
  handled notified each person it touched, or recorded why not and what was announced.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from ac_audit.state import LogState, Meta, Raw
from ac_contracts.audit import Finding, RuleResult
from ac_events.catalogue import Purpose
from ac_events.catalogue.vocab import JAPAN

PROCESSOR = "processor_registered"
INCIDENT = "incident_handled"
TITLES = {
    PROCESSOR: ("Every provision to a processor is to a registered one, within its entrustment",
                "A processor abroad names its equivalent-measures basis (APPI art. 28); a "
                "provision for outsourced processing went to a processor registered (and not "
                "retired) when it was made, whose entrusted data categories cover its items."),
    INCIDENT: ("Every reportable incident was reported in time and its people notified",
               "A reportable incident's preliminary and final reports were recorded by their "
               "deadlines (judged once past), and closing it as handled followed a notice to "
               "each person it touched, or the reason why not with the public announcement."),
}  # fmt: skip


def _finding(rule: str, meta: Meta, detail: str) -> Finding:
    return Finding(rule=rule, event_id=meta.event_id, stream_id=meta.stream_id,
                   subject_id=meta.subject_id, topic=meta.topic, detail=detail)  # fmt: skip


def _result(rule: str, checked: int, findings: list[Finding]) -> RuleResult:
    title, description = TITLES[rule]
    return RuleResult(name=rule, title=title, description=description, checked=checked,
                      findings=findings)  # fmt: skip


def _ordered(state: LogState) -> list[Raw]:
    return sorted(state.processing, key=lambda r: (r.meta.occurred_at, r.meta.stream_version))


def processor_registered(state: LogState) -> RuleResult:
    history: dict[str, list[tuple[datetime, dict[str, Any] | None]]] = defaultdict(list)
    for r in _ordered(state):
        if r.meta.type.startswith("Processor"):
            terms = None if r.meta.type == "ProcessorRetired" else r.payload
            history[str(r.payload["processor_id"])].append((r.meta.occurred_at, terms))
    findings: list[Finding] = []
    registered = [r for r in state.processing if r.meta.type in ("ProcessorRegistered",
                                                                   "ProcessorRevised")]  # fmt: skip
    for r in registered:
        if r.payload.get("country") != JAPAN and not r.payload.get("safeguards"):
            findings.append(_finding(PROCESSOR, r.meta, f"{r.payload.get('processor_id')} is in "
                                     f"{r.payload.get('country')} with no equivalent-measures "
                                     "basis (APPI art. 28)"))  # fmt: skip
    checked = len(registered)
    for share in state.shares:
        p = share.payload
        if p.get("purpose") != Purpose.OUTSOURCED_PROCESSING.value:
            continue
        checked += 1
        at, to = share.meta.occurred_at, str(p.get("organization_id"))
        standing = [terms for when, terms in history.get(to, []) if when <= at]
        if not standing or standing[-1] is None:
            what = "was retired" if standing else "is not in the register"
            findings.append(_finding(PROCESSOR, share.meta, f"the processor {to} {what}"))
            continue
        outside = set(p.get("data_items", ())) - set(standing[-1].get("data_categories", ()))
        if outside:
            findings.append(_finding(PROCESSOR, share.meta, f"{', '.join(sorted(outside))} "
                                     f"not entrusted to {to}"))  # fmt: skip
    return _result(PROCESSOR, checked, findings)


def incident_handled(state: LogState, now: datetime) -> RuleResult:
    by_incident: dict[str, list[Raw]] = defaultdict(list)
    for r in _ordered(state):
        if not r.meta.type.startswith("Processor"):
            by_incident[r.meta.stream_id].append(r)
    findings: list[Finding] = []
    for records in by_incident.values():
        scoped = [r for r in records if r.meta.type == "IncidentScoped"]
        if not scoped:
            continue
        last = scoped[-1]
        if last.payload.get("reportable"):
            reports = {r.payload["stage"]: r.meta.occurred_at for r in records
                       if r.meta.type == "IncidentReported"}  # fmt: skip
            for stage in ("preliminary", "final"):
                due = datetime.fromisoformat(last.payload[f"{stage}_due"])
                made = reports.get(stage)
                if (made is None and now > due) or (made is not None and made > due):
                    findings.append(_finding(INCIDENT, last.meta, f"the {stage} report was "
                                             f"due {due.isoformat()}: " + (
                                                 "not made" if made is None else "made late")))  # fmt: skip
        told = {r.payload["subject_id"] for r in records if r.meta.type == "AffectedPersonNotified"}
        for closed in (r for r in records if r.meta.type == "IncidentClosed"):
            p = closed.payload
            if (
                p.get("reason") == "handled"
                and len(told) < int(last.payload["people"])
                and not (p.get("no_notice_reason") and p.get("public_announcement"))
            ):
                findings.append(_finding(INCIDENT, closed.meta, f"closed with {len(told)} of "
                                         f"{last.payload['people']} people notified, no reason "
                                         "recorded"))  # fmt: skip
    return _result(INCIDENT, len(by_incident), findings)
