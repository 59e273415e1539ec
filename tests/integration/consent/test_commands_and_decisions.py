"""Consent commands and decisions on the real view (PostgreSQL), read-your-writes included."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
import pytest

from ac_consent.commands import handle, handle_staff, publish_notice
from ac_consent.decisions import decide_now
from ac_consent.domain import AnnounceTransfer, Grant, ObjectToTransfer, PublishPolicy, Withdraw
from ac_consent.views import project
from ac_consent_rules.rules import Fact, FlowRequest
from ac_contracts.consent import NoticeBody
from ac_events.catalogue import (
    BusinessTransferAnnounced,
    ClientOrganizationRegistered,
    DataCategory,
    DecisionReason,
    PolicyPublished,
    Purpose,
    PurposeChange,
    policy_text_sha256,
)
from ac_events.codec import Codec
from ac_events.crypto import new_data_key
from ac_events.keyring import PostgresKeyring
from ac_events.migrator import KEYRING, LIBRARY, migrate, source
from ac_events.store import EventStore
from tests.support.policy import texts

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
async def consent_store(database_url: str) -> AsyncIterator[EventStore]:
    pool = await asyncpg.create_pool(database_url, min_size=2, max_size=30)
    async with pool.acquire() as conn:
        await migrate(conn, LIBRARY, KEYRING, source("ac_consent"))
    store = EventStore(pool, Codec(PostgresKeyring(pool, new_data_key())), "consent")
    await handle_staff(store, PublishPolicy(policy("v1")))
    await publish_notice(store, US_NOTICE)
    async with pool.acquire() as conn:
        for org, country in (("org-jp", "JP"), ("org-us", "US"), ("org-other", "JP")):
            await project(conn, None, organisation(org, country))
    yield store
    await pool.close()


def policy(version: str, *significant: Purpose) -> PolicyPublished:
    return PolicyPublished(
        policy_version=version,
        effective_at=NOW,
        changes=tuple(
            PurposeChange(purpose=p, changed=True, significant=True) for p in significant
        ),
        text_sha256=policy_text_sha256(texts(version)),  # one text per version
    )


US_NOTICE = NoticeBody(
    country="US",
    country_name="United States of America",
    protection_system="No comprehensive federal law; sectoral laws and state laws (e.g. CCPA).",
    recipient_measures="The recipient keeps the OECD privacy principles under contract.",
)


def organisation(org_id: str, country: str) -> Fact:
    """Identity's fact, as the consent service's consumer projects it."""
    registered = ClientOrganizationRegistered(
        organization_id=org_id,
        legal_name=f"{org_id} K.K.",
        address="1-1 Chiyoda, Tokyo",
        representative="Representative Director",
        country=country,
    )
    return Fact(uuid4(), NOW, registered)


def grant(recipient: str = "org-jp", region: str = "JP", version: str = "v1") -> Grant:
    return Grant(
        consent_id=uuid4(),
        purpose=Purpose.CLIENT_APPLICATION,
        recipient=recipient,
        region=region,
        data_categories=(DataCategory.RESUME,),
        sensitive_categories=(),
        policy_version=version,
        country_notice_sha256=None if region == "JP" else US_NOTICE.sha256(),
    )


def to_client(recipient: str = "org-jp", region: str = "JP") -> FlowRequest:
    return FlowRequest(
        purpose=Purpose.CLIENT_APPLICATION,
        recipient=recipient,
        region=region,
        data_categories=frozenset({DataCategory.RESUME}),
    )


async def test_grant_then_withdraw_with_cited_events_and_positions(
    consent_store: EventStore,
) -> None:
    g = grant()
    [granted_id] = (await handle(consent_store, "p1", g)).event_ids
    allowed = await decide_now(consent_store.pool, "p1", to_client())
    assert allowed.decision.allow and allowed.decision.consent_event_ids == (granted_id,)
    assert allowed.position.subject_version == 1

    [withdrawn_id] = (await handle(consent_store, "p1", Withdraw(g.consent_id))).event_ids
    denied = await decide_now(consent_store.pool, "p1", to_client())
    assert denied.decision.reason == DecisionReason.WITHDRAWN
    assert denied.decision.consent_event_ids == (withdrawn_id,)
    assert denied.position.subject_version == 2
    assert denied.position.policies_version == allowed.position.policies_version == 1
    again = await handle(consent_store, "p1", Withdraw(g.consent_id))
    assert again.event_ids == [] and again.position.subject_version == 2


async def test_overseas_recipient_without_a_region_covering_consent(
    consent_store: EventStore,
) -> None:
    await handle(consent_store, "p2", grant(recipient="org-us"))  # Japan only
    d = await decide_now(consent_store.pool, "p2", to_client("org-us", "US"))
    assert d.decision.reason == DecisionReason.REGION_NOT_COVERED
    await handle(consent_store, "p2", grant(recipient="org-us", region="US"))
    assert (await decide_now(consent_store.pool, "p2", to_client("org-us", "US"))).decision.allow


async def test_a_significant_policy_change_forces_reconsent(consent_store: EventStore) -> None:
    await handle(consent_store, "p3", grant())
    await handle_staff(consent_store, PublishPolicy(policy("v2", Purpose.CLIENT_APPLICATION)))
    d = await decide_now(consent_store.pool, "p3", to_client())
    assert d.decision.reason == DecisionReason.RECONSENT_REQUIRED
    await handle(consent_store, "p3", grant(version="v2"))
    assert (await decide_now(consent_store.pool, "p3", to_client())).decision.allow


async def test_a_transfer_objection_excludes_the_person(consent_store: EventStore) -> None:
    transfer = BusinessTransferAnnounced(
        transfer_id=uuid4(),
        acquirer="org-jp",
        acquirer_name="Buyer KK",
        purposes=(Purpose.CLIENT_APPLICATION,),
        opt_out_deadline=datetime.now(UTC) + timedelta(days=30),
    )
    await handle_staff(consent_store, AnnounceTransfer(transfer, datetime.now(UTC)))
    await handle(consent_store, "p4", grant())
    await handle(consent_store, "p4", ObjectToTransfer(transfer.transfer_id, datetime.now(UTC)))
    d = await decide_now(consent_store.pool, "p4", to_client())
    assert d.decision.reason == DecisionReason.OBJECTED_TO_TRANSFER


async def test_no_decision_after_a_withdrawal_returns_allows_the_flow(
    consent_store: EventStore,
) -> None:
    """Read-your-writes under concurrent grant / withdraw / decide calls."""
    violations = 0

    async def decider(stop: asyncio.Event) -> None:
        while not stop.is_set():
            await decide_now(consent_store.pool, "p5", to_client())

    for _ in range(25):
        g = grant()
        await handle(consent_store, "p5", g)
        stop = asyncio.Event()
        noise = [asyncio.create_task(decider(stop)) for _ in range(4)]
        others = [
            asyncio.create_task(handle(consent_store, "p5", grant("org-other"))) for _ in range(2)
        ]
        await handle(consent_store, "p5", Withdraw(g.consent_id))
        after = await asyncio.gather(
            *(decide_now(consent_store.pool, "p5", to_client()) for _ in range(8))
        )
        violations += sum(d.decision.allow for d in after)
        stop.set()
        await asyncio.gather(*noise, *others)
    assert violations == 0
