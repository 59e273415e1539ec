"""The log as the audit holds it after a replay: what the rules need, folded record by record.

Nothing here trusts a service's database: every fact comes from the topics.
Consent facts are decoded into the catalogue's events, so the rules can fold
them with the consent service's own `evolve_person` / `evolve_policies`.
The bulk of the log (notifications, matching scores, ...) only passes
through the chain check and the personal-field census.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from ac_consent_rules.rules import Fact
from ac_contracts.audit import Finding
from ac_events.catalogue import (
    EVENT_TYPES,
    MESSAGE_USES,
    RecordsRemoved,
    UseBasis,
)
from ac_events.catalogue.base import upcast
from ac_events.catalogue.streams import CONSENT_STREAM_PREFIX, GUEST_PREFIX, POLICY_STREAM
from ac_events.catalogue.vocab import Role
from ac_events.chain import ChainVerifier
from ac_events.codec import ENC
from ac_events.kafka import PRODUCERS

TOLD = frozenset({"NotificationSent", "NotificationFailed"})
"""What notifications records of a message: sent, or failed with its reason."""

CONSENT_FACTS = frozenset(
    {"ConsentGranted", "ConsentWithdrawn", "TransferObjected", "PolicyPublished",
     "BusinessTransferAnnounced", "CountryNoticePublished"}
)  # fmt: skip
PROCESSING = frozenset({"ProcessorRegistered", "ProcessorRevised", "ProcessorRetired",
                        "IncidentScoped", "IncidentReported", "AffectedPersonNotified",
                        "IncidentClosed"})  # fmt: skip
"""The register of processors and the incidents [B] #17 (for `ac_audit.processing`)."""
USES = frozenset({"MatchScored", "NotificationSent", "NotificationFailed"})
"""[E] #18: the events that record a use of a person's data, each citing its `UseRef`."""
OWED = {
    kind.value: (purpose.value, basis.value)
    for kind, (purpose, basis) in MESSAGE_USES.items()
    if basis != UseBasis.CONSENT
}
"""A message kind owed without consent -> the (purpose, basis) it cites (strings, as read)."""
REMOVALS = frozenset(t for t, cls in EVENT_TYPES.items() if issubclass(cls, RecordsRemoved))
"""Each retention job's record of what it removed [D] #16."""
PROFILES = frozenset({"UserRegistered", "ProfileUpdated"})
APPLICATIONS = frozenset(
    {"ApplicationSubmitted", "ApplicationStatusChanged", "ApplicationWithdrawn"}
)
"""What the equal-opportunity monitoring report reads (`ac_audit.monitoring`) [E] #18."""


class Meta(NamedTuple):
    """Where an event sits in the log (a tuple: one is made per record of the log)."""

    topic: str
    event_id: str
    stream_id: str
    stream_version: int
    subject_id: str | None
    occurred_at: datetime
    type: str
    schema_version: int = 1


@dataclass(frozen=True, slots=True)
class Raw:
    """An event kept as it was stored: its payload as a plain dict (personal fields sealed)."""

    meta: Meta
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PersonalField:
    """A personal field of a person's event: sealed, or (a breach) in the clear."""

    meta: Meta
    field: str
    sealed: bool


@dataclass
class LogState:
    """Everything the rules and the report read, from one pass over the topics."""

    keep_subject: str | None = None
    """Also keep every record of this person (for `ac-audit subject`)."""
    until: datetime | None = None
    """Take only the events recorded by then (the log as it stood)."""
    events: int = 0
    per_topic: Counter[str] = field(default_factory=Counter)
    chain: ChainVerifier = field(default_factory=ChainVerifier)
    misplaced: list[Finding] = field(default_factory=list)
    """Events in a topic their producer does not own, and unreadable records."""
    person_facts: dict[str, list[tuple[int, Fact]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """subject -> (version, fact) of their consent stream, in stream order."""
    policy_facts: list[tuple[int, Fact]] = field(default_factory=list)
    grants: dict[str, tuple[str, Any]] = field(default_factory=dict)
    """ConsentGranted event id -> (subject, the event)."""
    notices: set[str] = field(default_factory=set)
    """Country notices published (their SHA-256)."""
    students: set[str] = field(default_factory=set)
    erased_at: dict[str, datetime] = field(default_factory=dict)
    organisations: dict[str, dict[str, Any]] = field(default_factory=dict)
    shares: list[Raw] = field(default_factory=list)
    blocked: list[Raw] = field(default_factory=list)
    personal: Counter[str] = field(default_factory=Counter)
    """subject -> how many personal fields their events hold (sealed or not)."""
    in_clear: dict[str, list[PersonalField]] = field(default_factory=lambda: defaultdict(list))
    """subject -> the personal fields of their events that are NOT sealed (a breach)."""
    kept: list[tuple[Meta, bytes]] = field(default_factory=list)
    consents_granted: int = 0
    consents_withdrawn: int = 0
    redelivered: int = 0
    """Records read again (the relay publishes at least once): counted and folded once."""
    told: dict[str, list[Raw]] = field(default_factory=lambda: defaultdict(list))
    """Cause event id -> the disclosure notices (`NotificationSent` / `NotificationFailed`
    of kind `disclosure`) that name it."""
    last_at: datetime | None = None
    """When the latest event taken was recorded (the log's "now")."""
    removals: list[Raw] = field(default_factory=list)
    """What each retention job said it removed (`RecordsRemoved`)."""
    guest_closed: list[Meta] = field(default_factory=list)
    """Requests of people without an account, closed (their retention runs from there)."""
    deliveries: list[Meta] = field(default_factory=list)
    """Messages delivered (`NotificationSent`): their bodies' retention runs from there."""
    processing: list[Raw] = field(default_factory=list)
    """The register of processors and the incidents (`ac_audit.processing`) [B] #17."""
    uses_seen: int = 0
    """[E] #18: uses read (`USES`), refused ones included."""
    uses: list[Raw] = field(default_factory=list)
    """The uses the rule `use_covered` must judge (payload: `use`, and a message's `kind`):
    all but refused ones and messages citing exactly the basis their kind is owed on."""
    profiles: dict[str, list[tuple[Meta, bytes]]] = field(default_factory=lambda: defaultdict(list))
    """subject -> their profile events as stored (sealed), in stream order (`PROFILES`)."""
    applications: list[Raw] = field(default_factory=list)
    """Matching's application events (`APPLICATIONS`), for the monitoring report."""

    def add(self, topic: str, owner: str | None, record: dict[str, Any], data: bytes) -> None:
        """One record of `topic` (owned by the service `owner`), parsed from `data`."""
        try:
            meta = Meta(
                topic=topic,
                event_id=str(record["event_id"]),
                stream_id=str(record["stream_id"]),
                stream_version=int(record["stream_version"]),
                subject_id=record.get("subject_id"),
                occurred_at=datetime.fromisoformat(record["occurred_at"]),
                type=str(record["type"]),
                schema_version=int(record["schema_version"]),
            )
            payload: dict[str, Any] = record["payload"]
            producer = record["producer"]
        except (KeyError, TypeError, ValueError) as exc:
            self._count(topic, record, data)
            self._misplaced(topic, record, f"unreadable record: {type(exc).__name__}")
            return
        if self.until is not None and meta.occurred_at > self.until:
            return
        if not self._count(topic, record, data):
            self.redelivered += 1  # published twice (at least once): one event, folded once
            return
        if self.last_at is None or meta.occurred_at > self.last_at:
            self.last_at = meta.occurred_at
        if owner is not None and producer != owner:
            self._misplaced(topic, record, f"produced by {producer!r} in {owner}'s topic")
        if meta.subject_id is not None and meta.subject_id == self.keep_subject:
            self.kept.append((meta, data))
        if meta.type in PROFILES and meta.subject_id is not None:
            self.profiles[meta.subject_id].append((meta, data))
        self._census(meta, payload)
        try:
            self._fold(meta, payload)
        except (KeyError, TypeError, ValueError) as exc:
            self._misplaced(topic, record, f"{meta.type} does not read: {type(exc).__name__}")

    def merge(self, other: LogState) -> None:
        """Take in the state of a replay of OTHER partitions (see `ac_audit.parallel`).

        A stream lives in one partition (records are keyed by subject or stream), so what
        two states hold of one person comes from different topics: lists are joined, and
        a person's consent facts and the policies' are put back in stream order."""
        self.events += other.events
        self.per_topic.update(other.per_topic)
        self.chain.merge(other.chain)
        self.misplaced += other.misplaced
        for subject, facts in other.person_facts.items():
            mine = self.person_facts[subject]
            mine += facts
            mine.sort(key=lambda vf: vf[0])
        self.policy_facts = sorted(self.policy_facts + other.policy_facts, key=lambda vf: vf[0])
        self.grants.update(other.grants)
        self.notices |= other.notices
        self.students |= other.students
        for subject, at in other.erased_at.items():
            self.erased_at[subject] = min(at, self.erased_at.get(subject, at))
        self.organisations.update(other.organisations)
        self.shares += other.shares
        self.blocked += other.blocked
        self.personal.update(other.personal)
        for subject, fields in other.in_clear.items():
            self.in_clear[subject] += fields
        self.kept = sorted(self.kept + other.kept, key=lambda md: md[0].occurred_at)
        self.consents_granted += other.consents_granted
        self.consents_withdrawn += other.consents_withdrawn
        self.redelivered += other.redelivered
        for cause, notices in other.told.items():
            self.told[cause] += notices
        if other.last_at is not None and (self.last_at is None or other.last_at > self.last_at):
            self.last_at = other.last_at
        self.removals += other.removals
        self.guest_closed += other.guest_closed
        self.deliveries += other.deliveries
        self.processing += other.processing
        self.uses_seen += other.uses_seen
        self.uses += other.uses
        for subject, records in other.profiles.items():
            self.profiles[subject] = sorted(self.profiles[subject] + records,
                                            key=lambda md: md[0].stream_version)  # fmt: skip
        self.applications += other.applications

    def _count(self, topic: str, record: dict[str, Any], data: bytes) -> bool:
        """Counts a record not seen before (False for a repeated delivery of one)."""
        if not self.chain.add(record, data):
            return False
        self.events += 1
        self.per_topic[topic] += 1
        return True

    def _misplaced(self, topic: str, record: dict[str, Any], detail: str) -> None:
        self.misplaced.append(
            Finding(
                rule="chain",
                event_id=_str(record.get("event_id")),
                stream_id=_str(record.get("stream_id")),
                subject_id=_str(record.get("subject_id")),
                topic=topic,
                detail=detail,
            )
        )

    def _census(self, meta: Meta, payload: dict[str, Any]) -> None:
        model = EVENT_TYPES.get(meta.type)
        if model is None or meta.subject_id is None:
            return
        for name in model.personal_fields():
            value = payload.get(name)
            if value is not None:
                self.personal[meta.subject_id] += 1
                if not (isinstance(value, dict) and ENC in value):
                    self.in_clear[meta.subject_id].append(PersonalField(meta, name, False))

    def _fold(self, meta: Meta, payload: dict[str, Any]) -> None:
        kind = meta.type
        if kind in CONSENT_FACTS:
            current = upcast(kind, meta.schema_version, dict(payload))
            event = EVENT_TYPES[kind].model_validate(current)
            fact = Fact(UUID(meta.event_id), meta.occurred_at, event)
            if meta.stream_id == POLICY_STREAM:
                self.policy_facts.append((meta.stream_version, fact))
            elif meta.stream_id.startswith(CONSENT_STREAM_PREFIX) and meta.subject_id:
                self.person_facts[meta.subject_id].append((meta.stream_version, fact))
            if kind == "ConsentGranted" and meta.subject_id:
                self.grants[meta.event_id] = (meta.subject_id, event)
                self.consents_granted += 1
            elif kind == "ConsentWithdrawn":
                self.consents_withdrawn += 1
            elif kind == "CountryNoticePublished":
                self.notices.add(payload["notice_sha256"])
        elif kind == "UserRegistered" and meta.subject_id and payload.get("role") == Role.STUDENT:
            self.students.add(meta.subject_id)
        elif kind == "SubjectErased" and meta.subject_id:
            self.erased_at.setdefault(meta.subject_id, meta.occurred_at)
        elif kind == "ClientOrganizationRegistered":
            self.organisations[payload["organization_id"]] = payload
        elif kind == "DataShared":
            self.shares.append(Raw(meta, payload))
        elif kind == "DataShareBlocked":
            self.blocked.append(Raw(meta, payload))
        elif kind in REMOVALS:
            self.removals.append(Raw(meta, payload))
        elif kind in PROCESSING:
            self.processing.append(Raw(meta, payload))
        elif kind in APPLICATIONS:
            self.applications.append(Raw(meta, payload))
        elif kind == "RequestClosed" and (meta.subject_id or "").startswith(GUEST_PREFIX):
            self.guest_closed.append(meta)
        if kind in USES:
            self._use(meta, payload)
        if kind == "NotificationSent":
            self.deliveries.append(meta)
        if kind in TOLD and payload.get("kind") == "disclosure" and payload.get("cause_event_id"):
            self.told[str(payload["cause_event_id"])].append(Raw(meta, payload))

    def _use(self, meta: Meta, payload: dict[str, Any]) -> None:
        self.uses_seen += 1
        if meta.schema_version < EVENT_TYPES[meta.type].schema_version:
            payload = upcast(meta.type, meta.schema_version, dict(payload))
        use, kind = payload.get("use"), payload.get("kind")
        if isinstance(use, dict):
            basis = use.get("basis")
            if basis == UseBasis.REFUSED:
                return  # refused at the time: nothing was used
            if kind is not None and OWED.get(kind) == (use.get("purpose"), basis):
                return  # a message owed on its basis, citing it
        self.uses.append(Raw(meta, {"use": use, "kind": kind}))


def owner_of(topic: str, prefix: str) -> str | None:
    """The service that owns a topic (`<prefix><service>.events`), or None."""
    for producer in PRODUCERS:
        if topic == f"{prefix}{producer}.events":
            return producer
    return None


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
