"""An incident as its stream tells it, and the rules of its handling, pure [B] #17
(APPI art. 26; the Enforcement Rules arts. 7–10): time comes in, events go out.

- Reportable: special-care data involved, data whose leak may cause financial harm, an
  unjust purpose, or more than 1,000 people (encrypted data with its key safe is not, for
  the number alone).
- Deadlines from discovery: the preliminary report "promptly" (the desk's target: 3 days),
  the final one in 30 days (60 for an unjust purpose); staff are warned `warn_before` each.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from uuid import UUID

from ac_contracts.errors import Refused
from ac_contracts.incidents import Affected, Scope
from ac_events.catalogue import (
    AffectedPersonNotified,
    Event,
    IncidentClosed,
    IncidentCloseReason,
    IncidentDueSoon,
    IncidentOpened,
    IncidentReported,
    IncidentScoped,
    ReportReason,
    ReportStage,
)

PRELIMINARY_WITHIN = timedelta(days=3)
FINAL_WITHIN = timedelta(days=30)
FINAL_WITHIN_UNJUST = timedelta(days=60)
MANY = 1000
"""More people than this makes an incident reportable."""


@dataclass(frozen=True, slots=True)
class IncidentRules:
    warn_preliminary: timedelta = timedelta(hours=24)
    warn_final: timedelta = timedelta(days=7)
    supervisors: tuple[str, ...] = ()

    def warn_before(self, stage: ReportStage) -> timedelta:
        return self.warn_preliminary if stage is ReportStage.PRELIMINARY else self.warn_final


@dataclass(frozen=True, slots=True)
class Report:
    stage: ReportStage
    at: datetime
    document_sha256: str
    late: bool


@dataclass(frozen=True, slots=True)
class Incident:
    opened: IncidentOpened
    opened_at: datetime
    version: int = 1
    scoped: IncidentScoped | None = None
    reports: tuple[Report, ...] = ()
    warned: frozenset[ReportStage] = field(default_factory=frozenset)
    notified: frozenset[str] = field(default_factory=frozenset)
    closed: IncidentClosed | None = None
    closed_at: datetime | None = None

    @property
    def incident_id(self) -> UUID:
        return self.opened.incident_id

    @property
    def status(self) -> str:
        if self.closed is not None:
            return "closed"
        return "scoped" if self.scoped is not None else "open"

    def due(self, stage: ReportStage) -> datetime:
        return due_dates(self.opened)[stage]

    def reported(self, stage: ReportStage) -> bool:
        return any(r.stage is stage for r in self.reports)

    @property
    def reportable(self) -> bool | None:
        return None if self.scoped is None else self.scoped.reportable

    def next_due(self) -> tuple[ReportStage, datetime] | None:
        """The next report still to make (an incident not yet scoped may be reportable)."""
        if self.closed is not None or self.reportable is False:
            return None
        for stage in ReportStage:
            if not self.reported(stage):
                return stage, self.due(stage)
        return None


def due_dates(o: IncidentOpened) -> dict[ReportStage, datetime]:
    final = FINAL_WITHIN_UNJUST if o.unjust_purpose else FINAL_WITHIN
    return {ReportStage.PRELIMINARY: o.discovered_at + PRELIMINARY_WITHIN,
            ReportStage.FINAL: o.discovered_at + final}  # fmt: skip


def evolve(i: Incident, e: Event, at: datetime) -> Incident:
    i = replace(i, version=i.version + 1)
    if isinstance(e, IncidentScoped):
        return replace(i, scoped=e)
    if isinstance(e, IncidentReported):
        return replace(i, reports=(*i.reports, Report(e.stage, at, e.document_sha256, e.late)))
    if isinstance(e, IncidentDueSoon):
        return replace(i, warned=i.warned | {e.stage})
    if isinstance(e, AffectedPersonNotified):
        return replace(i, notified=i.notified | {e.subject_id})
    if isinstance(e, IncidentClosed):
        return replace(i, closed=e, closed_at=at)
    return i


def fold(history: list[tuple[Event, datetime]]) -> Incident | None:
    if not history:
        return None
    first, at = history[0]
    if not isinstance(first, IncidentOpened):
        raise ValueError("an incident's stream starts with IncidentOpened")
    i = Incident(first, at)
    for event, when in history[1:]:
        i = evolve(i, event, when)
    return i


# -- decisions ---------------------------------------------------------------


def open_incident(o: IncidentOpened, now: datetime) -> list[Event]:
    if o.ended_at is not None and o.ended_at < o.started_at:
        raise Refused("window_reversed", "the incident ends before it starts")
    if o.discovered_at < o.started_at:
        raise Refused("window_reversed", "the incident was discovered before it started")
    if o.discovered_at > now:
        raise Refused("discovered_in_future", "an incident cannot be discovered in the future")
    return [o]


def window(i: Incident) -> tuple[datetime, datetime]:
    """The window whose provisions are in scope: to its end, else to its discovery."""
    o = i.opened
    return o.started_at, o.ended_at or o.discovered_at


def reasons(o: IncidentOpened, scope: Scope) -> tuple[ReportReason, ...]:
    found: list[ReportReason] = []
    if scope.special_care > 0:
        found.append(ReportReason.SPECIAL_CARE)
    if o.financial_harm:
        found.append(ReportReason.FINANCIAL_HARM)
    if o.unjust_purpose:
        found.append(ReportReason.UNJUST_PURPOSE)
    if scope.people > MANY and not o.encrypted:
        found.append(ReportReason.OVER_1000)
    return tuple(found)


def scopable(i: Incident) -> None:
    _open(i)
    if not i.opened.recipients:
        raise Refused("incident_unscoped", "name the recipients or processors that held the data")


def scope(i: Incident, s: Scope, by: str) -> list[Event]:
    scopable(i)
    why = reasons(i.opened, s)
    dues = due_dates(i.opened)
    return [IncidentScoped(incident_id=i.incident_id, people=s.people,
                           by_category=s.by_category, special_care=s.special_care,
                           provisions=s.provisions, log_as_of=s.log_as_of,
                           reportable=bool(why), reasons=why,
                           preliminary_due=dues[ReportStage.PRELIMINARY],
                           final_due=dues[ReportStage.FINAL], scoped_by=by)]  # fmt: skip


def report(i: Incident, stage: ReportStage, sha256: str, by: str, now: datetime) -> list[Event]:
    _open(i)
    if i.scoped is None:
        raise Refused("incident_unscoped", "scope the incident before reporting it")
    if not i.scoped.reportable:
        raise Refused("incident_not_reportable", "this incident need not be reported")
    if i.reported(stage):
        raise Refused("already_reported", f"the {stage.value} report was made")
    if stage is ReportStage.FINAL and not i.reported(ReportStage.PRELIMINARY):
        raise Refused("preliminary_first", "the preliminary report comes first")
    return [IncidentReported(incident_id=i.incident_id, stage=stage, document_sha256=sha256,
                             reported_by=by, late=now > i.due(stage))]  # fmt: skip


def notify(i: Incident, people: list[Affected]) -> list[Event]:
    """A notice to each affected person not notified yet (each is told once)."""
    _open(i)
    if i.scoped is None:
        raise Refused("incident_unscoped", "scope the incident before notifying its people")
    return [AffectedPersonNotified(incident_id=i.incident_id, subject_id=p.subject_id,
                                   title=i.opened.title, data_categories=tuple(p.data_categories),
                                   special_care=p.special_care)
            for p in people if p.subject_id not in i.notified]  # fmt: skip


def deadlines(i: Incident, now: datetime, rules: IncidentRules) -> list[Event]:
    """A warning for the next report due within its warning time (once per stage)."""
    nxt = i.next_due()
    if nxt is None:
        return []
    stage, due = nxt
    if stage in i.warned or now < due - rules.warn_before(stage):
        return []
    return [IncidentDueSoon(incident_id=i.incident_id, stage=stage, due_at=due,
                            notify=rules.supervisors)]  # fmt: skip


def close(
    i: Incident, reason: IncidentCloseReason, no_notice: str, announcement: str, by: str
) -> list[Event]:
    _open(i)
    if reason is IncidentCloseReason.HANDLED:
        if i.scoped is None:
            raise Refused("incident_unscoped", "scope the incident before closing it as handled")
        missing = [s.value for s in ReportStage if i.scoped.reportable and not i.reported(s)]
        if missing:
            raise Refused("reports_missing", f"not reported yet: {', '.join(missing)}")
        if i.scoped.people > len(i.notified) and not (no_notice and announcement):
            raise Refused("notices_missing", "notify every affected person, or record why that "
                          "is not possible and the public announcement made instead")  # fmt: skip
    return [IncidentClosed(incident_id=i.incident_id, reason=reason, no_notice_reason=no_notice,
                           public_announcement=announcement, closed_by=by)]  # fmt: skip


def _open(i: Incident) -> None:
    if i.closed is not None:
        raise Refused("incident_closed", "the incident is closed")
