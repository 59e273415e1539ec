"""Who an incident touched [B] #17, from the log alone: the audit's replay (`LogState.shares`,
`LogState.erased_at`) read for a window, recipients and data categories.

A person is affected when a provision of theirs (`DataShared`) to one of the recipients,
made inside the window, carried data of one of the categories, and they were not erased
before the window began (their data was no longer anyone's to leak). Their categories in the
leak are those of the incident their provisions carried; special-care data is involved when
one of those provisions carried sensitive items.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from ac_audit.state import LogState
from ac_contracts.incidents import Affected, Scope, ScopeQuery
from ac_events.catalogue.vocab import DataCategory


def _at(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def affected(state: LogState, q: ScopeQuery) -> Scope:
    """The incident's scope on this replay (its `last_at` is the cut it rests on)."""
    recipients, wanted = set(q.recipients), set(q.data_categories)
    categories: dict[str, set[DataCategory]] = {}
    special: set[str] = set()
    provisions = 0
    for share in state.shares:
        subject, payload = share.meta.subject_id, share.payload
        if subject is None or payload.get("organization_id") not in recipients:
            continue
        at = _at(payload.get("shared_at") or share.meta.occurred_at)
        if not q.started_at <= at <= q.ended_at:
            continue
        erased = state.erased_at.get(subject)
        if erased is not None and erased < q.started_at:
            continue
        items = {DataCategory(i) for i in payload.get("data_items", ())} & wanted
        if not items:
            continue
        provisions += 1
        categories.setdefault(subject, set()).update(items)
        if payload.get("sensitive_items"):
            special.add(subject)
    counts: Counter[str] = Counter()
    for items in categories.values():
        counts.update(c.value for c in items)
    people = [
        Affected(subject_id=s, data_categories=sorted(items), special_care=s in special)
        for s, items in sorted(categories.items())
    ]
    return Scope(people=len(people), by_category=dict(sorted(counts.items())),
                 special_care=len(special), provisions=provisions, log_as_of=state.last_at,
                 affected=people)  # fmt: skip
