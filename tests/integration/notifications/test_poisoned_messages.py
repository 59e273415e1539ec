"""Issue 14, item 4: one poisoned message never stops the mail.

A title holding a line-separator character (`\\x0b`, `\\x85`, U+2028, ...) cannot become an
email's `Subject`: the email library raises. Such text is refused at the API now
(`ac_contracts.common.Line`), but events written before, or by another producer, may still
carry it. A hundred of them, due in the same batch as a disclosure notice the law
requires, must not hold that notice back: each fails on its own, with its reason, and the
notice goes out. (Before, the first one raised out of the batch; the rest of the batch
stayed claimed until its lease ran out, then was claimed again behind the same poisoned
messages, oldest first: the notice never went.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta

import asyncpg
import httpx
import pytest

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from ac_events.store import ANY_VERSION
from ac_notifications.app import create_app
from tests.integration.notifications.test_notifications import PASSWORD, Rig, settings, shared
from tests.support.clock import SkippingClock
from tests.support.infra import Infra, unique_prefix
from tests.support.net import free_port
from tests.support.platform import database, platform, serving
from tests.support.services import upstream
from tests.support.smtp import SmtpServer

POISONS = ("\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029")
"""Each makes `message["Subject"] = ...` raise (a `\\n` would end the template's subject line
instead, and spill the rest into the body: `Line` refuses it at the API too)."""
BATCH = 500
"""The sender's batch: every message of the test is claimed in one."""


@pytest.fixture
async def big_batches(infra: Infra) -> AsyncIterator[Rig]:
    prefix, kafka = unique_prefix(), infra.kafka_bootstrap_servers
    smtp = SmtpServer()
    smtp.start()
    try:
        async with AsyncExitStack() as stack:
            p = await stack.enter_async_context(platform(infra, prefix))
            matching = await stack.enter_async_context(
                upstream("matching", infra.database_url, kafka, prefix)
            )
            url = await stack.enter_async_context(database(infra))
            port, clock = free_port(), SkippingClock()
            config = settings(url, p, smtp, prefix, kafka).model_copy(update={"send_batch": BATCH})
            await stack.enter_async_context(serving(create_app(config, clock), port))
            client = await stack.enter_async_context(
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}")
            )
            staff = Profile(username="staff", name="Staff", email="staff@example.jp")
            await p.accounts.register(staff, PASSWORD, Role.STAFF)
            yield Rig(p, smtp, matching, client, {}, clock, prefix, kafka, url)
    finally:
        smtp.stop()


async def statuses(database_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT status, count(*) AS n FROM messages GROUP BY status")
    finally:
        await conn.close()
    return {r["status"]: r["n"] for r in rows}


async def until(database_url: str, status: str, count: int) -> dict[str, int]:
    for _ in range(600):
        counts = await statuses(database_url)
        if counts.get(status, 0) >= count:
            return counts
        await asyncio.sleep(0.1)
    return counts


async def test_a_hundred_poisoned_messages_do_not_hold_back_a_disclosure_notice(
    big_batches: Rig,
) -> None:
    rig = big_batches
    subject, _ = await rig.student("poisoned")
    await rig.mail("poisoned@example.jp")  # the verification first: the queue is clear
    rig.clock.skip(timedelta(hours=-1))  # nothing is due for the sender while the queue fills
    for i in range(100):  # written straight to matching's topic, as if from before `Line`
        event = shared(f"Evil{POISONS[i % len(POISONS)]}Corp {i}")
        await rig.matching.store.append(f"application-p{i}", ANY_VERSION, [event],
                                        subject_id=subject)  # fmt: skip
    await rig.matching.relay.publish_pending()
    await rig.matching.publish("application-good", shared("Sakura Shoji K.K."), subject_id=subject)
    assert (await until(rig.database_url, "pending", 101))["pending"] == 101
    rig.clock.skip(timedelta(hours=1))  # all due at once, the notice last

    mail = await rig.mail("poisoned@example.jp", lambda m: "Sakura Shoji" in m.subject, 90)
    assert mail.subject == "Your data was sent to Sakura Shoji K.K."
    counts = await until(rig.database_url, "failed", 100)  # each poisoned one: failed, once
    assert counts == {"sent": 3, "failed": 100}, counts  # (with the staff's verification)
    conn = await asyncpg.connect(rig.database_url)
    try:
        reasons = await conn.fetch(
            "SELECT DISTINCT last_error, attempts FROM messages WHERE status = 'failed'"
        )
    finally:
        await conn.close()
    assert [(r["last_error"], r["attempts"]) for r in reasons] == [("unrenderable: ValueError", 1)]


async def test_a_message_past_the_attempt_cap_fails_whatever_keeps_failing_it(
    big_batches: Rig,
) -> None:
    """The cap holds on every path, not only SMTP's answers: a message that comes due with its
    attempts spent (a sender that died on it, over and over) is marked failed, not tried."""
    rig = big_batches
    subject, _ = await rig.student("capped")
    await rig.mail("capped@example.jp")
    cap = 50  # the rig's `max_attempts`
    conn = await asyncpg.connect(rig.database_url)
    try:
        await conn.execute(
            """INSERT INTO messages (message_id, idempotency_key, subject_id, kind, params,
                   attempts, last_error)
               VALUES (gen_random_uuid(), 'capped', $1, 'email_verification', '{}', $2,
                   'error: KeyError')""",
            subject,
            cap,
        )
    finally:
        await conn.close()
    counts = await until(rig.database_url, "failed", 1)
    assert counts.get("failed") == 1, counts
    conn = await asyncpg.connect(rig.database_url)
    try:
        row = await conn.fetchrow("SELECT * FROM messages WHERE idempotency_key = 'capped'")
    finally:
        await conn.close()
    assert row["status"] == "failed" and row["attempts"] == cap + 1
    assert row["last_error"] == f"gave up after {cap} attempts: error: KeyError"
