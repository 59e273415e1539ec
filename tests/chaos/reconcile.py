"""Reconciliation from outside the services: the ledger against the log, the log against its
effects (projection rows, provisions, messages) and the emails at the SMTP server.

- lost: a write the load saw succeed (or found done) whose event is not in the log, or an
  event whose effect is missing (a row, a notice, an email);
- duplicated: one write, or one cause, with two events, two rows or two messages;
- orphaned: an event no write asked for, an effect no event asked for, or half of one
  (an application without its provision or block, a provision without its record).

A record the relay published twice is one event (same id, same bytes): counted as
`republished`, not as a duplicate. An email delivered twice under one Message-ID (the
sender died between the server's acceptance and its commit) is one message to its reader:
`resent`. A write answered with an error that took effect all the same is `unacknowledged`.
"""

from __future__ import annotations

import email
import email.policy
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson

from ac_events.kafka import PRODUCERS, topic_for
from tests.chaos.load import Ledger, Op
from tests.chaos.platform import ChaosPlatform
from tests.support.kafka import read_topic

MAIL_DOMAIN = "activeconnector.example"
KIND_OF_OP = {"register": "UserRegistered", "grant": "ConsentGranted",
              "withdraw": "ConsentWithdrawn", "cv_submit": "ResumeSubmitted",
              "cv_revise": "ResumeRevised", "alert": "AlertSubscribed",
              "apply": "ApplicationSubmitted", "vacancy": "VacancyPosted"}  # fmt: skip
OWED = {"UserRegistered": "email_verification", "DataShared": "disclosure",
        "DataShareBlocked": "application_blocked"}  # fmt: skip
"""Causes that are owed a message to their person, and its kind."""


@dataclass
class Tally:
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        return (
            f"lost={len(self.lost)} duplicated={len(self.duplicated)} orphaned={len(self.orphaned)}"
        )

    def problems(self) -> list[str]:
        return ([f"lost: {x}" for x in self.lost] + [f"duplicated: {x}" for x in self.duplicated]
                + [f"orphaned: {x}" for x in self.orphaned])  # fmt: skip


@dataclass
class Log:
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    republished: int = 0
    unreadable: int = 0

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events.values() if e["type"] == kind]


async def read_log(bootstrap: str) -> Log:
    log = Log()
    for producer in PRODUCERS:
        for record in await read_topic(bootstrap, topic_for(producer)):
            try:
                event = orjson.loads(record.value)
            except orjson.JSONDecodeError:
                log.unreadable += 1  # planted (the poison fault): no event, no effect
                continue
            if event["event_id"] in log.events:
                log.republished += 1
            log.events[event["event_id"]] = event
    return log


def _key(event: dict[str, Any]) -> str:
    """What identifies the write an event records."""
    p, kind = event["payload"], event["type"]
    if kind == "UserRegistered":
        return str(event["subject_id"])
    if kind in ("ConsentGranted", "ConsentWithdrawn"):
        return str(p["consent_id"])
    if kind == "ResumeSubmitted":
        return str(p["resume_id"])
    if kind == "ResumeRevised":
        return f"{p['resume_id']}:{p['revision']}"
    if kind == "AlertSubscribed":
        return str(p["subscription_id"])
    if kind in ("ApplicationSubmitted", "DataShared", "DataShareBlocked"):
        return str(p.get("application_id"))
    if kind == "VacancyPosted":
        return str(p["vacancy_id"])
    return str(event["event_id"])


def _op_key(op: Op) -> str:
    i = op.ident
    if op.kind == "cv_revise":
        return f"{i['resume_id']}:{i['revision']}"
    field_of = {"register": "subject_id", "grant": "consent_id", "withdraw": "consent_id",
                "cv_submit": "resume_id", "alert": "subscription_id",
                "apply": "application_id", "vacancy": "vacancy_id"}  # fmt: skip
    return str(i[field_of[op.kind]])


def _grouped(events: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        out[_key(e)].append(e)
    return out


def writes(ledger: Ledger, log: Log, t: Tally) -> None:
    """Every write seen done has its event once; every event of a write kind has its write."""
    done = [op for op in ledger.ops if op.outcome in ("ok", "adopted")]
    ambiguous = Counter((op.subject, op.kind) for op in ledger.ops for s in op.statuses
                        if s == 0 or s >= 500)  # fmt: skip
    for op_kind, kind in KIND_OF_OP.items():
        by_key = _grouped(log.of(kind))
        wanted = {_op_key(op): op for op in done if op.kind == op_kind}
        for key, op in wanted.items():
            found = by_key.get(key, [])
            if op_kind == "withdraw" and not found and op.ident.get("event_ids") == []:
                continue  # a second withdrawal of the same consent records nothing
            if not found:
                t.lost.append(f"{kind} of {op_kind} {key} ({op.phase}, answers {op.statuses})")
            elif len(found) > 1:
                t.duplicated.append(f"{kind} {key}: {len(found)} events")
            for event_id in op.ident.get("event_ids", []):
                if event_id not in log.events:
                    t.lost.append(f"event {event_id} named in the answer to {op_kind} {key}")
        extra: Counter[tuple[str | None, str]] = Counter()
        for key, found in by_key.items():
            if key not in wanted and found[0].get("subject_id") in ledger.subjects | {None}:
                extra[(found[0].get("subject_id"), op_kind)] += 1
        for (subject, op_kind_), n in extra.items():
            unanswered = ambiguous.get((subject, op_kind_), 0)
            t.counts["unacknowledged"] += min(n, unanswered)
            if n > unanswered:
                t.orphaned.append(f"{n - unanswered} {kind} of {subject} no write asked for")
        t.counts[kind] = len(by_key)


def applications(ledger: Ledger, log: Log, t: Tally) -> None:
    """An application is whole: submitted once, then exactly one of shared / blocked, as its
    answer said."""
    submitted = _grouped(log.of("ApplicationSubmitted"))
    shared, blocked = _grouped(log.of("DataShared")), _grouped(log.of("DataShareBlocked"))
    said = {op.ident.get("application_id"): op.ident.get("status") for op in ledger.ops
            if op.kind == "apply" and op.outcome in ("ok", "adopted")}  # fmt: skip
    for key in submitted:
        outcome = len(shared.get(key, [])) + len(blocked.get(key, []))
        if outcome != 1:
            t.orphaned.append(f"application {key} has {outcome} outcomes")
        status = "shared" if key in shared else "blocked"
        if key in said and said[key] != status:
            t.lost.append(f"application {key} answered {said[key]}, recorded {status}")
    for key in set(shared) | set(blocked):
        if key not in submitted and key != "None":
            t.orphaned.append(f"an outcome of application {key}, never submitted")


async def rows(platform: ChaosPlatform, log: Log, t: Tally) -> None:
    """Each event's projection rows, once, in the databases of the services that keep them."""

    async def fetch(service: str, sql: str) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(platform.database_url(service), timeout=10)
        try:
            return list(await conn.fetch(sql))
        finally:
            await conn.close()

    def compare(what: str, want: dict[str, Any], have: dict[str, Any]) -> None:
        for key, value in want.items():
            if key not in have:
                t.lost.append(f"{what} row of {key}")
            elif have[key] != value:
                t.lost.append(f"{what} row of {key} is {have[key]!r}, not {value!r}")
        for key in have.keys() - want.keys():
            t.orphaned.append(f"{what} row of {key}, of no event")

    shared = {str(e["payload"]["disclosure_id"]): e for e in log.of("DataShared")}
    apps = {_key(e): ("shared" if _key(e) in _grouped(log.of("DataShared")) else "blocked")
            for e in log.of("ApplicationSubmitted")}  # fmt: skip
    got = await fetch("matching", "SELECT application_id, status FROM applications")
    compare("matching application", apps, {str(r["application_id"]): r["status"] for r in got})
    got = await fetch("matching", "SELECT disclosure_id, event_id FROM disclosures")
    compare("matching provision record", {k: e["event_id"] for k, e in shared.items()},
            {str(r["disclosure_id"]): str(r["event_id"]) for r in got})  # fmt: skip
    got = await fetch("consent", "SELECT disclosure_id FROM disclosures")
    compare("consent disclosure", dict.fromkeys(shared, True),
            {str(r["disclosure_id"]): True for r in got})  # fmt: skip
    latest: dict[str, int] = {}
    for e in log.of("ResumeSubmitted") + log.of("ResumeRevised"):
        subject = str(e["subject_id"])
        latest[subject] = max(latest.get(subject, 0), int(e["payload"].get("revision", 1)))
    got = await fetch("matching", "SELECT subject_id, revision FROM cvs")
    compare("matching CV", latest, {r["subject_id"]: r["revision"] for r in got})
    students = {str(e["subject_id"]) for e in log.of("UserRegistered")
                if e["payload"].get("role") == "student"}  # fmt: skip
    got = await fetch("notifications", "SELECT subject_id FROM contacts")
    contacts = {r["subject_id"] for r in got}
    for subject in {str(e["subject_id"]) for e in log.of("UserRegistered")} - contacts:
        t.lost.append(f"notifications contact of {subject}")
    withdrawn = {str(e["payload"]["consent_id"]) for e in log.of("ConsentWithdrawn")}
    audience = {str(e["payload"]["consent_id"]): str(e["payload"]["consent_id"]) not in withdrawn
                for e in log.of("ConsentGranted")}  # fmt: skip
    got = await fetch("notifications", "SELECT consent_id, active FROM audience")
    compare("notifications audience", audience, {str(r["consent_id"]): r["active"] for r in got})
    subs = {str(e["payload"]["subscription_id"]): True for e in log.of("AlertSubscribed")}
    got = await fetch("notifications", "SELECT subscription_id FROM subscriptions")
    compare("notifications subscription", subs, {str(r["subscription_id"]): True for r in got})
    t.counts["students"] = len(students)


async def messages(platform: ChaosPlatform, log: Log, t: Tally) -> None:
    """Each owed cause: one message row, sent, one `NotificationSent`, one email (by
    Message-ID); every email and every `NotificationSent` has its cause."""
    conn = await asyncpg.connect(platform.database_url("notifications"), timeout=10)
    try:
        got = await conn.fetch("SELECT message_id, kind, cause_event_id, subject_id, status "
                               "FROM messages")  # fmt: skip
    finally:
        await conn.close()
    by_cause = defaultdict(list)
    for r in got:
        by_cause[(str(r["cause_event_id"]), r["kind"])].append(r)
    sent = defaultdict(list)
    for e in log.of("NotificationSent"):
        p = e["payload"]
        sent[(str(p["cause_event_id"]), p["kind"])].append(e)
        cause = log.events.get(str(p["cause_event_id"]))
        if cause is None:
            t.orphaned.append(f"NotificationSent {p['message_id']}: its cause is not in the log")
        elif cause.get("subject_id") not in (None, e["subject_id"]):
            t.orphaned.append(f"NotificationSent {p['message_id']} went to another person")
    for cause_type, kind in OWED.items():
        for e in log.of(cause_type):
            if cause_type == "UserRegistered" and e["payload"].get("verification_token") is None:
                continue  # made by staff (or the admin CLI): verified already, nothing to send
            key = (e["event_id"], kind)
            rows_, told = by_cause.get(key, []), sent.get(key, [])
            if not rows_ or rows_[0]["status"] != "sent":
                t.lost.append(f"{kind} message of {cause_type} {e['event_id']}: "
                              f"{[r['status'] for r in rows_]}")  # fmt: skip
            if not told:
                t.lost.append(f"NotificationSent ({kind}) of {cause_type} {e['event_id']}")
            elif len(told) > 1:
                t.duplicated.append(f"{len(told)} NotificationSent ({kind}) of {e['event_id']}")
    inbox = Counter(mail_ids(platform))
    recorded = {str(e["payload"]["message_id"]) for e in log.of("NotificationSent")}
    for message_id in recorded - inbox.keys():
        t.lost.append(f"email {message_id} recorded sent, not at the SMTP server")
    for message_id in inbox.keys() - recorded:
        t.orphaned.append(f"email {message_id} at the SMTP server, recorded nowhere")
    t.counts["emails"] = len(inbox)
    t.counts["resent"] = sum(n - 1 for n in inbox.values())


def mail_ids(platform: ChaosPlatform) -> list[str]:
    """The Message-ID of every email the SMTP server filed (one entry per delivery)."""
    out = []
    for sub in ("new", "cur"):
        folder = platform.mail_dir / sub
        for path in folder.iterdir() if folder.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
            out.append(str(message["Message-ID"] or "").strip("<>").removesuffix(f"@{MAIL_DOMAIN}"))
    return out


async def reconcile(platform: ChaosPlatform, ledger: Ledger) -> tuple[Tally, Log]:
    log = await read_log(platform.infra.env["KAFKA_BOOTSTRAP_SERVERS"])
    t = Tally()
    writes(ledger, log, t)
    applications(ledger, log, t)
    await rows(platform, log, t)
    await messages(platform, log, t)
    t.counts["events"] = len(log.events)
    t.counts["republished"] = log.republished
    return t, log
