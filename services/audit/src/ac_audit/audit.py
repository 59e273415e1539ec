"""One audit: replay the topics, run every rule, and write the report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import orjson
from aiokafka import TopicPartition

from ac_audit import rules
from ac_audit.parallel import read_log_split
from ac_audit.replay import Progress, replay, without_cyclic_gc
from ac_audit.state import LogState, Raw
from ac_consent_rules.rules import RULES_VERSION
from ac_contracts.audit import Disclosure, Report, Summary, TimelineEntry
from ac_events.kafka import PRODUCERS, topic_for
from ac_events.keyring import Keyring

DEFAULT_GRACE = timedelta(seconds=2)
"""How long before a provision a consent change may be recorded and still be missed
(the decision and the record of the provision are two steps)."""

DEFAULT_NOTICE_WITHIN = timedelta(hours=24)
"""How long after a provision its person must have been told (or the reason why not be
recorded). Notifications retries a notice for about two hours before it records it failed
(30 attempts, back-off 2 s to 5 min): a day leaves room for an outage of the mail relay."""

TIMELINE_KINDS = frozenset(
    {"ConsentGranted", "ConsentWithdrawn", "TransferObjected", "DataShared", "DataShareBlocked",
     "SubjectErased", "ErasureRequested", "ApplicationSubmitted", "SensitiveDataDeclared"}
)  # fmt: skip


def topics(prefix: str) -> list[str]:
    return [topic_for(p, prefix) for p in PRODUCERS]


async def read_log(
    bootstrap: str,
    prefix: str,
    *,
    until: datetime | None = None,
    end_offsets: Mapping[TopicPartition, int] | None = None,
    subject: str | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> LogState:
    """The log state of every service topic, up to `until` and/or `end_offsets` (exclusive);
    with `workers` > 1, replayed by that many processes (`ac_audit.parallel`)."""
    if workers > 1:
        return await read_log_split(bootstrap, prefix, workers=workers, until=until,
                                    end_offsets=end_offsets, subject=subject)  # fmt: skip
    state = LogState(keep_subject=subject, until=until)
    return await replay(
        bootstrap, topics(prefix), state, prefix=prefix, end_offsets=end_offsets,
        progress=progress,
    )  # fmt: skip


def parse_offset(text: str) -> tuple[TopicPartition, int]:
    """`<topic>:<partition>=<offset>` -> the partition and the offset to stop before."""
    where, _, offset = text.rpartition("=")
    topic, _, partition = where.rpartition(":")
    if not topic or not partition.isdigit() or not offset.isdigit():
        raise ValueError(f"{text!r} is not <topic>:<partition>=<offset>")
    return TopicPartition(topic, int(partition)), int(offset)


async def audit(
    state: LogState,
    keyring: Keyring,
    *,
    until: datetime | None = None,
    grace: timedelta = DEFAULT_GRACE,
    notice_within: timedelta = DEFAULT_NOTICE_WITHIN,
) -> Report:
    with without_cyclic_gc():  # the rules fold and build as much as the replay did
        return await _audit(
            state, keyring, rules.Bounds(grace, notice_within, until or datetime.now(UTC)), until
        )


async def _audit(
    state: LogState, keyring: Keyring, bounds: rules.Bounds, until: datetime | None
) -> Report:
    complete = rules.complete_shares(state)
    return Report(
        generated_at=datetime.now(UTC),
        rules_version=RULES_VERSION,
        until=until,
        summary=summary(state, complete),
        rules=await rules.run_all(state, complete, keyring, bounds),
        disclosures=[disclosure(s) for s in complete],
        timeline_subject=state.keep_subject,
        timeline=timeline(state),
    )


def summary(state: LogState, complete: list[Raw]) -> Summary:
    return Summary(
        events=state.events,
        topics=dict(state.per_topic),
        people=len(state.students),
        erased_people=len(state.erased_at),
        consents_granted=state.consents_granted,
        consents_withdrawn=state.consents_withdrawn,
        disclosures=len(state.shares),
        blocked=len(state.blocked),
        disclosures_per_recipient=dict(
            Counter(s.payload["recipient_legal_name"] for s in complete).most_common()
        ),
        disclosures_per_country=dict(
            Counter(s.payload["recipient_country"] for s in complete).most_common()
        ),
        disclosures_per_month=dict(
            sorted(Counter(s.meta.occurred_at.strftime("%Y-%m") for s in complete).items())
        ),
    )


def disclosure(share: Raw) -> Disclosure:
    p = share.payload
    return Disclosure(
        event_id=share.meta.event_id,
        subject_id=share.meta.subject_id,
        shared_at=datetime.fromisoformat(p["shared_at"]),
        organization_id=p["organization_id"],
        recipient_legal_name=p["recipient_legal_name"],
        recipient_country=p["recipient_country"],
        purpose=p["purpose"],
        data_items=list(p["data_items"]),
        basis="legal" if p.get("legal") else "consent",
    )


def timeline(state: LogState) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=meta.occurred_at,
            kind=meta.type,
            summary=_said(meta.type, data),
            event_id=meta.event_id,
        )
        for meta, data in state.kept
        if meta.type in TIMELINE_KINDS
    ]


def _said(kind: str, data: bytes) -> str:
    p = orjson.loads(data).get("payload", {})
    if kind in ("ConsentGranted",):
        return f"{p.get('purpose')} to {p.get('recipient')} in {p.get('region')}"
    if kind == "DataShared":
        items = ", ".join(p.get("data_items", []))
        return f"{items} to {p.get('recipient_legal_name')} ({p.get('recipient_country')})"
    if kind == "DataShareBlocked":
        return f"to {p.get('organization_id')}: {p.get('reason')}"
    if kind == "ConsentWithdrawn":
        return f"consent {p.get('consent_id')}"
    return kind
