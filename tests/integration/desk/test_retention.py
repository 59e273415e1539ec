"""[D] Retention as data, enforced where the records are: notifications removes what a
delivered message said after 90 days, matching a provision record after three years; each
run appends how many it removed (never what), and removes nothing before its period. The
jobs are run at a time the test chooses (their clock), never waited for. (The desk's guest
requests: test_desk.py; identity's unverified accounts: identity/test_for_services.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from ac_events.catalogue import MessageBodiesRemoved, ProvisionRecordsRemoved
from ac_events.catalogue.streams import retention_stream
from ac_events.store import EventStore
from ac_matching.retention import remove_provision_records
from ac_notifications.retention import remove_bodies
from tests.support.desk import DeskRig
from tests.support.infra import Infra, unique_prefix
from tests.support.platform import platform
from tests.support.wait import eventually


@pytest.fixture(scope="module")
async def rig(infra: Infra) -> AsyncIterator[DeskRig]:
    async with platform(infra, unique_prefix(), notifications=True) as p:
        yield DeskRig(p)


async def test_a_delivered_message_loses_its_body_after_ninety_days(rig: DeskRig) -> None:
    assert rig.p.notifications is not None
    events: EventStore = rig.p.notifications.state.deps.events
    who = await rig.student("uma.retention")
    await rig.mails(who.email, lambda m: "Confirm" in m.subject)

    async def sent() -> bool:
        async with events.pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT sent_at FROM messages WHERE subject_id = $1 AND status = 'sent'",
                who.subject,
            )
        return row is not None

    await eventually(sent)
    now = datetime.now(UTC)
    assert await remove_bodies(events, now) == 0  # delivered today: kept
    assert await remove_bodies(events, now + timedelta(days=91)) >= 1
    async with events.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT params, status, body_removed_at FROM messages WHERE subject_id = $1",
            who.subject,
        )
    assert row["params"] == "{}" and row["status"] == "sent" and row["body_removed_at"]
    runs = [e.payload for e in await events.read_stream(retention_stream("notifications"))]
    assert all(isinstance(r, MessageBodiesRemoved) for r in runs)
    assert [r.removed for r in runs if isinstance(r, MessageBodiesRemoved)][-2:][0] == 0
    last = runs[-1]
    assert isinstance(last, MessageBodiesRemoved) and last.removed >= 1 and last.period_days == 90


async def test_a_provision_record_is_kept_three_years_then_removed(rig: DeskRig) -> None:
    events: EventStore = rig.p.matching.state.deps.events
    now = datetime.now(UTC)
    assert await remove_provision_records(events, now) == 0
    async with events.pool.acquire() as conn:
        held = await conn.fetchval("SELECT count(*) FROM disclosures")
        await conn.execute(
            """INSERT INTO disclosures (disclosure_id, event_id, subject_id, organization_id,
                   shared_at, record) VALUES (gen_random_uuid(), gen_random_uuid(), 'p-old',
                   'org-old', $1, '{}'::jsonb), (gen_random_uuid(), gen_random_uuid(), 'p-new',
                   'org-old', $2, '{}'::jsonb)""",
            now - timedelta(days=3 * 365 + 1),
            now - timedelta(days=3 * 365 - 1),
        )
    assert await remove_provision_records(events, now) == 1  # the one past three years
    async with events.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM disclosures") == held + 1
        assert await conn.fetchval(
            "SELECT count(*) FROM disclosures WHERE subject_id = 'p-new'") == 1  # fmt: skip
    runs = [e.payload for e in await events.read_stream(retention_stream("matching"))]
    removed = [(r.removed, r.period_days) for r in runs if isinstance(r, ProvisionRecordsRemoved)]
    assert len(removed) == len(runs) and removed[-2:] == [(0, 1095), (1, 1095)]
