"""[A] acceptance: a seeded history on real Kafka, clean and with planted violations.

The generator (tests/support/audit_seed.py) writes thousands of people's
consents, withdrawals, a significant policy change, overseas clients, a
business transfer with objections, legal disclosures and erasures straight to
Kafka. On the clean history the audit finds nothing; with violations of each
rule planted (bypassing the services), it finds each planted one and no other.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ac_audit import html
from ac_audit.audit import audit, read_log
from ac_audit.rules import RULES
from ac_audit.subject import subject_record
from ac_events.kafka import make_producer, topic_for
from tests.support.audit_seed import MemoryKeyring, key_of, seed_history
from tests.support.chromium import render_page
from tests.support.infra import Infra, unique_prefix
from tests.support.kafka import read_topic

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

PEOPLE = 2000


async def test_a_clean_history_has_no_findings(infra: Infra) -> None:
    prefix, keyring = unique_prefix(), MemoryKeyring()
    seeded = await seed_history(infra.kafka_bootstrap_servers, prefix, keyring, people=PEOPLE)
    state = await read_log(infra.kafka_bootstrap_servers, prefix)
    report = await audit(state, keyring)

    assert state.events == seeded.events
    assert {r.name for r in report.rules} == set(RULES)
    assert [f for r in report.rules for f in r.findings] == []
    s = report.summary
    assert s.people == PEOPLE
    assert s.disclosures > 100 and s.blocked > 100 and s.erased_people > 10
    assert s.consents_withdrawn > 100
    assert {"US", "DE", "SG", "JP"} <= set(s.disclosures_per_country)
    assert all(r.checked > 0 for r in report.rules)
    # Every provision's notice is in the log: sent, or (2 %) failed with its reason.
    told = [t for notices in state.told.values() for t in notices]
    assert len(state.told) == s.disclosures
    assert {t.meta.type for t in told} == {"NotificationSent", "NotificationFailed"}


async def test_a_record_published_twice_is_one_event(infra: Infra) -> None:
    """The relay publishes at least once: a provision and its notice read twice are still one
    provision and one notice (counted once, folded once, no finding)."""
    prefix, keyring = unique_prefix(), MemoryKeyring()
    seeded = await seed_history(infra.kafka_bootstrap_servers, prefix, keyring, people=100)
    once = await read_log(infra.kafka_bootstrap_servers, prefix)
    again = [r for p in ("matching", "notifications")
             for r in await read_topic(infra.kafka_bootstrap_servers, topic_for(p, prefix))]  # fmt: skip
    producer = make_producer(infra.kafka_bootstrap_servers)
    await producer.start()
    try:
        for r in again:
            await producer.send_and_wait(r.topic, r.value, key=r.key, partition=r.partition)
    finally:
        await producer.stop()
    twice = await read_log(infra.kafka_bootstrap_servers, prefix)
    report = await audit(twice, keyring)

    assert twice.events == once.events == seeded.events
    assert twice.redelivered == len(again)
    assert len(twice.shares) == len(once.shares) > 10
    assert report.summary.disclosures == len(once.shares)
    assert [f for r in report.rules for f in r.findings] == []


async def test_each_planted_violation_is_found_and_nothing_else(infra: Infra) -> None:
    prefix, keyring = unique_prefix(), MemoryKeyring()
    seeded = await seed_history(
        infra.kafka_bootstrap_servers, prefix, keyring, people=PEOPLE, plant=True
    )
    state = await read_log(infra.kafka_bootstrap_servers, prefix)
    report = await audit(state, keyring)

    found = {key_of(f) for r in report.rules for f in r.findings}
    assert found == seeded.expected
    assert {rule for rule, _ in seeded.expected} == set(RULES)  # every rule has a plant

    # The page for people, with one person's timeline, in a real browser.
    subject = next(s.meta.subject_id for s in state.shares if s.payload.get("decision"))
    timeline = await read_log(infra.kafka_bootstrap_servers, prefix, subject=subject)
    report = await audit(timeline, keyring)
    assert report.timeline and report.findings == len(seeded.expected)
    ARTIFACTS.mkdir(exist_ok=True)
    page, screenshot = ARTIFACTS / "audit-seeded.html", ARTIFACTS / "audit-seeded.png"
    page.write_text(html.render(report), encoding="utf-8")
    assert await render_page(page, screenshot) == []
    assert screenshot.stat().st_size > 20_000


@pytest.mark.parametrize("grace_s", [0.0, 2.0])
async def test_the_stale_view_rule_depends_on_the_grace_only_for_the_planted_case(
    infra: Infra, grace_s: float
) -> None:
    prefix, keyring = unique_prefix(), MemoryKeyring()
    seeded = await seed_history(
        infra.kafka_bootstrap_servers, prefix, keyring, people=200, plant=True, seed=11
    )
    state = await read_log(infra.kafka_bootstrap_servers, prefix)
    assert state.events == seeded.events
    report = await audit(state, keyring, grace=timedelta(seconds=grace_s))
    covered = {key_of(f) for f in report.rules[1].findings}
    assert covered == {e for e in seeded.expected if e[0] == "disclosure_covered"}


async def test_one_person_as_of_any_time(infra: Infra) -> None:
    prefix, keyring = unique_prefix(), MemoryKeyring()
    seeded = await seed_history(infra.kafka_bootstrap_servers, prefix, keyring, people=300)
    full = await read_log(infra.kafka_bootstrap_servers, prefix)
    # A person not erased, with a consented provision (the log is read partition by
    # partition, so its order across people is not fixed: choose by time).
    shared = sorted(
        (s for s in full.shares
         if s.payload.get("decision") and s.meta.subject_id not in full.erased_at),
        key=lambda s: s.meta.occurred_at,
    )  # fmt: skip
    first = shared[0]
    subject = first.meta.subject_id
    assert subject in seeded.subjects
    state = await read_log(infra.kafka_bootstrap_servers, prefix, subject=subject)

    now = await subject_record(state, keyring)
    assert now.profile["name"].startswith("Person ")
    assert first.meta.event_id in {p["event_id"] for p in now.provisions}
    assert now.history and now.history[0]["type"] == "ConsentGranted"
    before = await subject_record(
        state, keyring, as_of=first.meta.occurred_at - timedelta(seconds=1)
    )
    assert first.meta.event_id not in {p["event_id"] for p in before.provisions}

    erased = sorted(full.erased_at)[0]
    gone = await subject_record(
        await read_log(infra.kafka_bootstrap_servers, prefix, subject=erased), keyring
    )
    assert gone.erased and gone.profile["name"] == {"redacted": "erased"}
