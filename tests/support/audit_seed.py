"""A seeded history of the whole platform, written straight to Kafka, for the audit.

`seed_history` simulates people registering, consenting (in Japan and abroad,
with country notices), withdrawing, applying to clients (each provision
decided with the consent service's own `decide_flow` on the generator's own
fold, and recorded with the position it was decided at), a significant
policy change, a business transfer with objections, legal disclosures by
staff, and erasures (their keys destroyed). Every record is sealed and
chained exactly as the services' event stores do it.

Every provision is followed by its disclosure notice to the person, as the
notifications service records it (`NotificationSent`, a few `NotificationFailed`
with their reason).

It also has a guest's enquiry at the desk and a retention job's run. With `plant=True` it
also writes violations of each audit rule (a guest's request kept past its retention, an
early removal of provision records among them), bypassing the
services, and returns what the audit must find: `(rule, key)` pairs where the
key is the event id, else the stream id, else the subject id of the finding.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer

from ac_consent_rules.rules import (
    Fact,
    FlowRequest,
    Person,
    Policies,
    decide_flow,
    evolve_person,
    evolve_policies,
)
from ac_contracts.audit import Finding
from ac_events.catalogue import (
    ApplicationSubmitted,
    BusinessTransferAnnounced,
    ClientOrganizationRegistered,
    ConsentGranted,
    ConsentWithdrawn,
    CountryNoticePublished,
    DataCategory,
    DataShareBlocked,
    DataShared,
    DecisionReason,
    DecisionRef,
    ErasureRequested,
    Language,
    LegalBasis,
    LegalRef,
    MatchScored,
    MessageBodiesRemoved,
    NotificationFailed,
    NotificationKind,
    NotificationSent,
    Outcome,
    PolicyPublished,
    ProfileUpdated,
    ProvisionRecordsRemoved,
    Purpose,
    RecordsRemoved,
    RequestAnswered,
    RequestClosed,
    RequestFiled,
    RequestKind,
    Role,
    SubjectErased,
    TransferObjected,
    UserRegistered,
)
from ac_events.catalogue.base import ERASED, Event, Redacted
from ac_events.catalogue.consent import PurposeChange, ViewPosition
from ac_events.catalogue.streams import notifications_stream
from ac_events.codec import Codec
from ac_events.crypto import new_data_key
from ac_events.envelope import GENESIS_HASH, canonical, record_hash
from ac_events.kafka import ensure_topics, make_producer, topic_for

START = datetime(2026, 1, 1, tzinfo=UTC)
ITEMS = (DataCategory.NAME, DataCategory.CONTACT, DataCategory.SCHOOL, DataCategory.RESUME)
ORGS = [("org-jp-1", "JP"), ("org-jp-2", "JP"), ("org-jp-3", "JP"), ("org-jp-4", "JP"),
        ("org-us-1", "US"), ("org-de-1", "DE"), ("org-sg-1", "SG"), ("police-jp", "JP")]  # fmt: skip
CLIENT_ORGS = [o for o, _ in ORGS if o != "police-jp"]


class MemoryKeyring:
    """A keyring in memory (the `Keyring` protocol): what identity's would hold."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}
        self.destroyed: set[str] = set()

    async def key_for(self, subject_id: str) -> bytes | Redacted:
        if subject_id in self.destroyed or subject_id not in self.keys:
            return ERASED
        return self.keys[subject_id]

    async def ensure(self, subject_id: str) -> bytes:
        return self.keys.setdefault(subject_id, new_data_key())

    async def destroy(self, subject_id: str) -> None:
        self.destroyed.add(subject_id)


class Writer:
    """Sealed, chained records per topic, as the services' event stores write them."""

    def __init__(self, prefix: str, keyring: MemoryKeyring) -> None:
        self.prefix = prefix
        self.codec = Codec(keyring)
        self.heads: dict[str, tuple[int, str]] = {}
        self.out: dict[str, list[tuple[bytes, bytes]]] = defaultdict(list)
        self.count = 0

    def version(self, stream: str) -> int:
        return self.heads.get(stream, (0, GENESIS_HASH))[0]

    async def emit(
        self, producer: str, stream: str, event: Event, subject: str | None, at: datetime
    ) -> str:
        payload = await self.codec.encrypt_payload(event, subject)
        return self.raw(producer, stream, event, payload, subject, at)

    def raw(
        self,
        producer: str,
        stream: str,
        event: Event,
        payload: dict[str, Any],
        subject: str | None,
        at: datetime,
        *,
        claimed_producer: str | None = None,
        version: int | None = None,
        alter: bool = False,
    ) -> str:
        """A record with any payload (no validation): how a violation is planted."""
        head_version, prev = self.heads.get(stream, (0, GENESIS_HASH))
        sealed = Codec.seal_record(
            event, payload, stream_id=stream, stream_version=version or head_version + 1,
            subject_id=subject, producer=claimed_producer or producer, prev_hash=prev,
            occurred_at=at,
        )  # fmt: skip
        data = sealed.data
        if alter:  # changed after it was hashed
            record = orjson.loads(data)
            record["occurred_at"] = (at + timedelta(days=1)).isoformat()
            data = canonical(record)
        else:
            assert record_hash(orjson.loads(data)) == sealed.hash
        self.heads[stream] = (sealed.stream_version, sealed.hash)
        self.out[producer].append(((subject or stream).encode(), data))
        self.count += 1
        return str(sealed.event_id)

    async def flush(self, bootstrap: str) -> None:
        topics = [topic_for(p, self.prefix) for p in self.out]
        await ensure_topics(bootstrap, topics)
        producer: AIOKafkaProducer = make_producer(bootstrap, linger_ms=20, max_batch_size=1 << 20)
        await producer.start()
        try:
            for name, records in self.out.items():
                topic = topic_for(name, self.prefix)
                for start in range(0, len(records), 10_000):
                    sends = [await producer.send(topic, value, key=key)
                             for key, value in records[start : start + 10_000]]  # fmt: skip
                    for sent in sends:
                        await sent
        finally:
            await producer.stop()
        self.out.clear()


@dataclass
class Someone:
    subject: str
    person: Person = field(default_factory=Person)
    erased: bool = False


@dataclass
class Seeded:
    events: int
    people: int
    expected: set[tuple[str, str]]
    subjects: list[str]
    """Everyone's pseudonymous id (for `ac-audit subject`)."""


def key_of(f: Finding) -> tuple[str, str]:
    return f.rule, str(f.event_id or f.stream_id or f.subject_id)


class History:
    def __init__(self, prefix: str, keyring: MemoryKeyring, rng: random.Random) -> None:
        self.w = Writer(prefix, keyring)
        self.keyring = keyring
        self.rng = rng
        self.clock = START
        self.policies = Policies()
        self.policy_version = "v1"
        self.notices: dict[str, str] = {}
        self.countries = dict(ORGS)
        self.people: list[Someone] = []
        self.expected: set[tuple[str, str]] = set()

    def tick(self, seconds: float = 10) -> datetime:
        self.clock += timedelta(seconds=seconds)
        return self.clock

    # ------------------------------------------------------------ staff and organisations

    async def policy(self, version: str, significant: tuple[Purpose, ...] = ()) -> None:
        changes = tuple(
            PurposeChange(purpose=p, changed=True, significant=True) for p in significant
        )
        event = PolicyPublished(policy_version=version, effective_at=self.clock, changes=changes,
                                text_sha256=version.encode().hex().ljust(64, "0")[:64])  # fmt: skip
        await self._policies_fact("policies", event)
        self.policy_version = version

    async def _policies_fact(self, stream: str, event: Event) -> None:
        at = self.tick()
        event_id = await self.w.emit("consent", stream, event, None, at)
        self.policies = evolve_policies(self.policies, Fact(uuid.UUID(event_id), at, event))

    async def organisations(self) -> None:
        for org, country in ORGS:
            event = ClientOrganizationRegistered(organization_id=org, legal_name=f"{org.upper()} K.K.",
                                                 address=f"1-1 Chiyoda, {country}",
                                                 representative="Representative", country=country)  # fmt: skip
            await self.w.emit("identity", f"organisation-{org}", event, None, self.tick())
            if country != "JP" and country not in self.notices:
                sha = uuid.uuid5(uuid.NAMESPACE_URL, country).hex * 2
                notice = CountryNoticePublished(country=country, notice_sha256=sha,
                                                country_name=country, protection_system="Law",
                                                recipient_measures="Contract")  # fmt: skip
                await self.w.emit("consent", "country-notices", notice, None, self.tick())
                self.notices[country] = sha

    async def transfer(self) -> uuid.UUID:
        transfer_id = uuid.uuid4()
        event = BusinessTransferAnnounced(transfer_id=transfer_id, acquirer="org-jp-4",
                                          acquirer_name="ORG-JP-4 K.K.",
                                          purposes=(Purpose.CLIENT_APPLICATION,),
                                          opt_out_deadline=self.clock + timedelta(days=365))  # fmt: skip
        await self._policies_fact("policies", event)
        return transfer_id

    # ------------------------------------------------------------ a person's acts

    async def register(self) -> Someone:
        someone = Someone(uuid.uuid4().hex)
        await self.keyring.ensure(someone.subject)
        event = UserRegistered(role=Role.STUDENT, username=f"u{len(self.people)}",
                               name=f"Person {len(self.people)}",
                               email=f"p{len(self.people)}@example.jp", school="Some University")  # fmt: skip
        await self.w.emit(
            "identity", f"user-{someone.subject}", event, someone.subject, self.tick()
        )
        self.people.append(someone)
        return someone

    async def consent_fact(self, someone: Someone, event: Event) -> str:
        at = self.tick()
        event_id = await self.w.emit(
            "consent", f"consent-{someone.subject}", event, someone.subject, at
        )
        someone.person = evolve_person(someone.person, Fact(uuid.UUID(event_id), at, event))
        return event_id

    async def grant(self, someone: Someone, org: str, region: str | None = None) -> str:
        region = region or self.countries[org]
        event = ConsentGranted(consent_id=uuid.uuid4(), purpose=Purpose.CLIENT_APPLICATION,
                               recipient=org, region=region, data_categories=ITEMS,
                               policy_version=self.policy_version,
                               country_notice_sha256=self.notices.get(region))  # fmt: skip
        return await self.consent_fact(someone, event)

    async def withdraw(self, someone: Someone) -> None:
        standing = list(someone.person.consents.values())
        if standing:
            c = self.rng.choice(standing)
            event = ConsentWithdrawn(consent_id=c.consent_id, purpose=c.purpose,
                                     recipient=c.recipient, region=c.region)  # fmt: skip
            await self.consent_fact(someone, event)

    async def object(self, someone: Someone, transfer_id: uuid.UUID) -> None:
        await self.consent_fact(someone, TransferObjected(transfer_id=transfer_id))

    def position(self, someone: Someone) -> ViewPosition:
        return ViewPosition(subject_version=self.w.version(f"consent-{someone.subject}"),
                            policies_version=self.w.version("policies"))  # fmt: skip

    def shared(
        self, org: str, decision: DecisionRef | None, legal: LegalRef | None = None
    ) -> DataShared:
        country = self.countries[org]
        return DataShared(disclosure_id=uuid.uuid4(), shared_at=self.clock,
                          purpose=Purpose.LEGAL_DISCLOSURE if legal else Purpose.CLIENT_APPLICATION,
                          organization_id=org, recipient_legal_name=f"{org.upper()} K.K.",
                          recipient_address=f"1-1 Chiyoda, {country}",
                          recipient_representative="Representative", recipient_country=country,
                          data_items=ITEMS, decision=decision, legal=legal)  # fmt: skip

    async def apply(self, someone: Someone, org: str) -> str | None:
        """An application: the provision, if the person's consent allows it now."""
        stream, subject = f"matching-{someone.subject}", someone.subject
        applied = ApplicationSubmitted(application_id=uuid.uuid4(), vacancy_id=uuid.uuid4(),
                                       organization_id=org)  # fmt: skip
        await self.w.emit("matching", stream, applied, subject, self.tick())
        flow = FlowRequest(Purpose.CLIENT_APPLICATION, org, self.countries[org], frozenset(ITEMS))
        d = decide_flow(self.policies, someone.person, flow)
        if not d.allow:
            blocked = DataShareBlocked(application_id=applied.application_id, organization_id=org,
                                       purpose=Purpose.CLIENT_APPLICATION,
                                       region=self.countries[org], reason=d.reason)  # fmt: skip
            await self.w.emit("matching", stream, blocked, subject, self.tick(1))
            return None
        ref = DecisionRef(reason=d.reason, consent_event_ids=d.consent_event_ids,
                          position=self.position(someone))  # fmt: skip
        event_id = await self.w.emit(
            "matching", stream, self.shared(org, ref), subject, self.tick(1)
        )
        await self.tell(someone.subject, event_id)
        return event_id

    async def legal(self, someone: Someone) -> None:
        ref = LegalRef(
            basis=LegalBasis.LAWS_AND_REGULATIONS, reference=f"order {self.rng.randint(1, 9999)}"
        )
        event = self.shared("police-jp", None, ref)
        event_id = await self.w.emit(
            "matching", f"matching-{someone.subject}", event, someone.subject, self.tick()
        )
        await self.tell(someone.subject, event_id)

    async def tell(
        self, subject: str, cause: str, *, after: timedelta = timedelta(seconds=5),
        to: str | None = None,
    ) -> str:  # fmt: skip
        """The disclosure notice of provision `cause`, as notifications records it: sent to
        the person (`to` another, when planted), or now and then failed with its reason."""
        to = to or subject
        key = f"{cause}:{NotificationKind.DISCLOSURE.value}:{to}"
        common = {"message_id": uuid.uuid5(uuid.NAMESPACE_URL, key), "kind": NotificationKind.DISCLOSURE,
                  "language": Language.JA, "idempotency_key": key,
                  "cause_event_id": uuid.UUID(cause), "address": f"{to[:8]}@example.jp"}  # fmt: skip
        event: Event
        if self.rng.random() < 0.02:
            event = NotificationFailed(**common, reason="refused ([550])", permanent=True)
        else:
            event = NotificationSent(**common)
        at = self.clock + after
        return await self.w.emit("notifications", notifications_stream(to), event, to, at)

    async def erase(self, someone: Someone, *, destroy: bool = True) -> None:
        stream = f"user-{someone.subject}"
        await self.w.emit("identity", stream, ErasureRequested(), someone.subject, self.tick())
        if destroy:
            await self.keyring.destroy(someone.subject)
        await self.w.emit("identity", stream, SubjectErased(services_confirmed=("consent",)),
                          someone.subject, self.tick())  # fmt: skip
        someone.erased = True

    # ------------------------------------------------------------ the desk and retention [D]

    async def guest_request(self, closed_at: datetime) -> str:
        """A guest's enquiry, answered and closed at `closed_at`: the RequestClosed's id."""
        guest, request_id = f"guest-{uuid.uuid4().hex}", uuid.uuid4()
        await self.keyring.ensure(guest)
        stream = f"desk-request-{request_id}"
        filed = RequestFiled(request_id=request_id, kind=RequestKind.ENQUIRY, account=False,
                             title="A question", details="Do you hold my data?",
                             reply_to="someone@example.org", due_at=closed_at)  # fmt: skip
        await self.w.emit("desk", stream, filed, guest, closed_at - timedelta(days=1))
        answered = RequestAnswered(request_id=request_id, outcome=Outcome.ANSWERED,
                                   reason="We hold nothing of yours.", answered_by="staff")  # fmt: skip
        await self.w.emit("desk", stream, answered, guest, closed_at)
        return await self.w.emit("desk", stream, RequestClosed(request_id=request_id), guest,
                                 closed_at)  # fmt: skip

    async def removal(self, producer: str, event: RecordsRemoved) -> str:
        return await self.w.emit(producer, f"retention-{producer}", event, None, self.tick())

    # ------------------------------------------------------------ planted violations

    def plant(self, rule: str, key: str) -> None:
        self.expected.add((rule, key))

    async def plant_all(self) -> None:
        fresh = [await self.register() for _ in range(9)]
        for s in fresh:
            await self.grant(s, "org-jp-1")
        # disclosure_covered: shared after a withdrawal, citing the position after it.
        a = fresh[0]
        await self.withdraw(a)
        ref = DecisionRef(reason=DecisionReason.CONSENT_GRANTED,
                          consent_event_ids=(uuid.uuid4(),), position=self.position(a))  # fmt: skip
        self.plant("disclosure_covered", await self._share(a, "org-jp-1", ref))
        # disclosure_covered: decided on a view a minute stale (the withdrawal came before).
        b = fresh[1]
        d = decide_flow(self.policies, b.person,
                        FlowRequest(Purpose.CLIENT_APPLICATION, "org-jp-1", "JP", frozenset(ITEMS)))  # fmt: skip
        stale = DecisionRef(reason=d.reason, consent_event_ids=d.consent_event_ids,
                            position=self.position(b))  # fmt: skip
        await self.withdraw(b)
        self.tick(60)
        self.plant("disclosure_covered", await self._share(b, "org-jp-1", stale))
        # record_complete: a record without the recipient's address.
        c = fresh[2]
        good = await self._decision(c, "org-jp-1")
        valid = self.shared("org-jp-1", good)
        payload = valid.model_dump(mode="json")
        payload["recipient_address"] = ""
        incomplete = self.w.raw("matching", f"matching-{c.subject}", valid, payload, c.subject,
                                self.tick())  # fmt: skip
        await self.tell(c.subject, incomplete)
        self.plant("record_complete", incomplete)
        # no_provision_after_erasure: shared once the person was erased.
        e = fresh[3]
        ref_e = await self._decision(e, "org-jp-1")
        await self.erase(e)
        self.plant("no_provision_after_erasure", await self._share(e, "org-jp-1", ref_e))
        # erased_unreadable: a personal field in the clear; an erased person whose key survived.
        f = fresh[4]
        await self.erase(f)
        clear = {
            "name": "Clear Name",
            "email": None,
            "gender": None,
            "school": None,
            "language": None,
        }
        self.plant("erased_unreadable", self.w.raw("identity", f"user-{f.subject}",
                                                   ProfileUpdated(), clear,
                                                   f.subject, self.tick()))  # fmt: skip
        g = fresh[5]
        await self.erase(g, destroy=False)
        self.plant("erased_unreadable", g.subject)
        # overseas_notice: a consent abroad recording a country notice that was never published
        # (one recording no notice at all cannot be written: the catalogue refuses it).
        h = fresh[6]
        grant = ConsentGranted(consent_id=uuid.uuid4(), purpose=Purpose.CLIENT_APPLICATION,
                               recipient="org-us-1", region="US", data_categories=ITEMS,
                               policy_version=self.policy_version,
                               country_notice_sha256="f" * 64)  # fmt: skip
        await self.consent_fact(h, grant)
        self.plant(
            "overseas_notice", await self._share(h, "org-us-1", await self._decision(h, "org-us-1"))
        )
        # notice_sent: a provision nobody was told of; one told a day and a half late; one
        # whose notice went to someone else.
        for late, to in ((None, None), (timedelta(hours=36), None), (None, fresh[0].subject)):
            i = fresh[7]
            share = await self._share(
                i, "org-jp-1", await self._decision(i, "org-jp-1"), told=False
            )
            if late is not None or to is not None:
                await self.tell(i.subject, share, after=late or timedelta(seconds=5), to=to)
            self.plant("notice_sent", share)
        # chain: a gap, a duplicate, an altered record, an event in another producer's topic.
        for name, how in (
            ("gap", {"version": 3}),
            ("dup", {"version": 1}),
            ("altered", {"alter": True}),
        ):
            stream = f"matching-planted-{name}"
            first = MatchScored(vacancy_id=uuid.uuid4(), score=1.0, method="bm25-v1")
            await self.w.emit("matching", stream, first, None, self.tick())
            self.w.raw(
                "matching", stream, first, first.model_dump(mode="json"), None, self.tick(), **how
            )
            self.plant("chain", stream)
        stray = MatchScored(vacancy_id=uuid.uuid4(), score=1.0, method="bm25-v1")
        self.plant("chain", self.w.raw("matching", "matching-planted-stray", stray,
                                       stray.model_dump(mode="json"), None, self.tick(),
                                       claimed_producer="resumes"))  # fmt: skip
        # retention: a guest's request kept more than a year past its closing, and provision
        # records removed a month after the provision (their period is three years).
        self.plant("retention", await self.guest_request(START - timedelta(days=400)))
        early = ProvisionRecordsRemoved(cutoff=self.clock - timedelta(days=30), removed=3,
                                        period_days=1095)  # fmt: skip
        self.plant("retention", await self.removal("matching", early))

    async def _decision(self, someone: Someone, org: str) -> DecisionRef:
        flow = FlowRequest(Purpose.CLIENT_APPLICATION, org, self.countries[org], frozenset(ITEMS))
        d = decide_flow(self.policies, someone.person, flow)
        assert d.allow, d
        return DecisionRef(reason=d.reason, consent_event_ids=d.consent_event_ids,
                           position=self.position(someone))  # fmt: skip

    async def _share(
        self, someone: Someone, org: str, ref: DecisionRef, *, told: bool = True
    ) -> str:
        stream = f"matching-{someone.subject}"
        event_id = await self.w.emit(
            "matching", stream, self.shared(org, ref), someone.subject, self.tick()
        )
        if told and not someone.erased:
            await self.tell(someone.subject, event_id)
        return event_id


async def seed_history(
    bootstrap: str,
    prefix: str,
    keyring: MemoryKeyring,
    *,
    people: int = 2000,
    seed: int = 7,
    plant: bool = False,
) -> Seeded:
    h = History(prefix, keyring, random.Random(seed))
    rng = h.rng
    await h.policy("v1")
    await h.organisations()
    for _ in range(people):
        await h.register()
    transfer_id: uuid.UUID | None = None
    rounds = 4
    for round_ in range(rounds):
        if round_ == 1:
            transfer_id = await h.transfer()
        if round_ == 2:  # consents to client_application given under v1 no longer stand
            await h.policy("v2", significant=(Purpose.CLIENT_APPLICATION,))
        for someone in h.people:
            if someone.erased:
                continue
            roll = rng.random()
            org = rng.choice(CLIENT_ORGS)
            if roll < 0.45:
                region = "JP" if rng.random() < 0.15 else None  # abroad, but only for Japan
                await h.grant(someone, org, region)
            elif roll < 0.55:
                await h.withdraw(someone)
            elif roll < 0.58 and transfer_id is not None:
                await h.object(someone, transfer_id)
            elif roll < 0.59:
                await h.legal(someone)
            await h.apply(someone, rng.choice(CLIENT_ORGS))
            if round_ == rounds - 1 and rng.random() < 0.03:
                await h.erase(someone)
        await h.w.flush(bootstrap)
    # The desk and the retention jobs, as they should be: a guest's enquiry closed now, and
    # a removal of message bodies at their period.
    await h.guest_request(h.tick())
    await h.removal("notifications", MessageBodiesRemoved(
        cutoff=h.clock - timedelta(days=90), removed=0, period_days=90))  # fmt: skip
    if plant:
        await h.plant_all()
    await h.w.flush(bootstrap)
    return Seeded(h.w.count, len(h.people), h.expected, [s.subject for s in h.people])
