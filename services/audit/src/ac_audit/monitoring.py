"""The equal-opportunity monitoring report [E] #18 (purpose 12), from the log alone.

Who is counted: students not erased whose consent, as the log stands, allows
`equal_opportunity_monitoring` of their gender and school (the consent service's own
`decide_flow`, asked as the services ask it). Their gender and school come from their
profile events (opened with their key), their applications' outcomes from matching's.

What is published: for each gender group and each school type, how many of those people
applied and in which state their applications ended. Every group and outcome is always
listed; a cell of fewer than `k` people is suppressed, every other is rounded to the
nearest `step`; no margins are published (a total minus the cells shown would reveal a
suppressed one). The report takes no subject and no time: it is the log as it stands.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ac_audit.folds import Folds
from ac_audit.state import LogState
from ac_consent_rules.rules import FlowRequest, Policies, decide_flow
from ac_contracts.monitoring import OUTCOMES, MonitoringCell, MonitoringReport, MonitoringTable
from ac_events.catalogue.base import Redacted
from ac_events.catalogue.vocab import DataCategory, Purpose
from ac_events.codec import Codec, UndecodableEvent
from ac_events.keyring import Keyring

K_DEFAULT, STEP_DEFAULT = 10, 5
GENDERS = ("female", "male", "other", "not_stated")
SCHOOL_TYPES = ("university", "graduate_school", "junior_college", "kosen", "vocational",
                "high_school", "other", "not_stated")  # fmt: skip
ASKED = FlowRequest(Purpose.EQUAL_OPPORTUNITY_MONITORING, "*", "JP",
                    frozenset({DataCategory.GENDER, DataCategory.SCHOOL}))  # fmt: skip
_GENDER_WORDS = {
    "female": ("female", "woman", "f", "女性", "女"),
    "male": ("male", "man", "m", "男性", "男"),
}
_SCHOOL_WORDS = (  # the first that a school's name contains decides (most specific first)
    ("graduate_school", ("大学院", "graduate school")),
    ("kosen", ("高等専門学校", "高専", "college of technology", "kosen")),
    ("junior_college", ("短期大学", "短大", "junior college")),
    ("vocational", ("専門学校", "vocational", "professional training")),
    ("university", ("大学", "university", "college", "institute of technology")),
    ("high_school", ("高等学校", "高校", "high school")),
)


def gender_group(text: str | None) -> str:
    """A person's own words for their gender, as one of `GENDERS`."""
    said = (text or "").strip().casefold()
    if not said:
        return "not_stated"
    for group, words in _GENDER_WORDS.items():
        if said in words:
            return group
    return "other"


def school_type(text: str | None) -> str:
    """A school's name, as one of `SCHOOL_TYPES`."""
    name = (text or "").strip().casefold()
    if not name:
        return "not_stated"
    return next((kind for kind, words in _SCHOOL_WORDS if any(w in name for w in words)),
                "other")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Entry:
    """One person counted: their groups and the states their applications ended in."""

    gender: str
    school: str
    outcomes: frozenset[str]


def publish(people: int, k: int, step: int) -> int | None:
    """A cell's count as published: None under `k`, else rounded to the nearest `step`."""
    return None if people < k else step * round(people / step)


def tabulate(entries: Iterable[Entry], k: int = K_DEFAULT, step: int = STEP_DEFAULT
             ) -> list[MonitoringTable]:  # fmt: skip
    """The two tables of the report from the people counted (pure)."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for e in entries:
        if not e.outcomes:
            continue
        for outcome in ("applied", *e.outcomes):
            counts[("gender", e.gender, outcome)] += 1
            counts[("school_type", e.school, outcome)] += 1
    tables = []
    for dimension, groups in (("gender", GENDERS), ("school_type", SCHOOL_TYPES)):
        cells = [MonitoringCell(group=g, outcome=o, people=publish(counts[(dimension, g, o)], k, step))
                 for g in groups for o in OUTCOMES]  # fmt: skip
        tables.append(MonitoringTable(dimension=dimension, groups=list(groups),
                                      outcomes=list(OUTCOMES), cells=cells))  # fmt: skip
    return tables


_ENDS = {"ApplicationSubmitted": "submitted", "ApplicationWithdrawn": "withdrawn"}
"""The state an application event leaves it in (a status change names its own)."""


def _outcomes(state: LogState) -> dict[str, set[str]]:
    """Each person -> the states their applications ended in (from matching's events)."""
    last: dict[str, tuple[Any, str, str]] = {}
    for raw in state.applications:
        m, p = raw.meta, raw.payload
        to = _ENDS.get(m.type) or str(p.get("to_state"))
        key = str(p["application_id"])
        at = (m.occurred_at, m.stream_version)
        if m.subject_id and (key not in last or last[key][0] <= at):
            last[key] = (at, m.subject_id, to)
    ended: dict[str, set[str]] = defaultdict(set)
    for _, subject, outcome in last.values():
        ended[subject].add(outcome)
    return ended


async def _profile(codec: Codec, records: list[tuple[Any, bytes]]) -> tuple[str, str]:
    gender: Any = None
    school: Any = None
    for _, data in records:
        try:
            event = (await codec.open(data)).payload
        except (UndecodableEvent, ValueError, KeyError):
            continue
        removed = getattr(event, "removed", ())
        gender = None if "gender" in removed else (getattr(event, "gender", None) or gender)
        school = None if "school" in removed else (getattr(event, "school", None) or school)
    return gender_group(_plain(gender)), school_type(_plain(school))


def _plain(value: Any) -> str | None:
    return None if isinstance(value, Redacted) else value


def _allowed(folds: Folds, policies: Policies, subject: str) -> bool:
    """As the person's consent stream stands now (folded once: not kept, unlike `person_at`)."""
    return decide_flow(policies, folds.person_when(subject, lambda _v, _f: True), ASKED).allow


async def monitoring_report(state: LogState, keyring: Keyring, *, k: int = K_DEFAULT,
                            step: int = STEP_DEFAULT) -> MonitoringReport:  # fmt: skip
    folds = Folds(state)
    latest = state.policy_facts[-1][0] if state.policy_facts else 0
    policies = folds.policies_at(latest) or Policies()
    ended, codec = _outcomes(state), Codec(keyring)
    entries = []
    for subject in sorted(state.students - set(state.erased_at)):
        if ended.get(subject) and _allowed(folds, policies, subject):
            gender, school = await _profile(codec, state.profiles.get(subject, []))
            entries.append(Entry(gender, school, frozenset(ended[subject])))
    tables = tabulate(entries, k, step)
    return MonitoringReport(
        generated_at=state.last_at, k=k, step=step, tables=tables,
        suppressed_cells=sum(c.people is None for t in tables for c in t.cells),
        method=__doc__.split("\n\n", 1)[1].replace("\n", " ").strip() if __doc__ else "",
    )  # fmt: skip
