"""Notifications over real SMTP (aiosmtpd), real Kafka and PostgreSQL, and the real
identity and consent services (tests/support/platform.py)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest

from ac_contracts.identity import Profile
from ac_events.catalogue import (
    DataCategory,
    DataShareBlocked,
    DataShared,
    DecisionReason,
    LegalBasis,
    LegalRef,
    Purpose,
    Role,
    VacancyPosted,
)
from ac_events.kafka import topic_for
from ac_notifications.app import create_app
from ac_notifications.settings import NotificationsSettings
from tests.support.clock import SkippingClock
from tests.support.infra import Infra, unique_prefix
from tests.support.kafka import read_topic
from tests.support.net import free_port
from tests.support.platform import SECRET, Platform, database, platform, serving
from tests.support.policy import texts
from tests.support.services import Upstream, upstream
from tests.support.smtp import CODE, Received, SmtpServer
from tests.support.wait import eventually

PASSWORD = "correct horse battery staple"


@dataclass
class Rig:
    p: Platform
    smtp: SmtpServer
    matching: Upstream
    notifications: httpx.AsyncClient
    staff: dict[str, str]
    clock: SkippingClock
    """When the sender thinks it is."""
    prefix: str
    bootstrap: str
    database_url: str
    """The notifications service's own database."""

    async def student(
        self, username: str, language: str = "en", **kw: Any
    ) -> tuple[str, dict[str, str]]:
        body = {"username": username, "password": PASSWORD, "name": username.title(),
                "email": f"{username}@example.jp", "language": language, **kw}  # fmt: skip
        r = await self.p.gateway.post("/v1/users", json=body)
        assert r.status_code == 202, r.text
        login = {"username": username, "password": PASSWORD}
        tokens = (await self.p.gateway.post("/v1/auth/login", json=login)).json()
        return tokens["subject_id"], {"Authorization": f"Bearer {tokens['access_token']}"}

    async def consent(
        self, headers: dict[str, str], purpose: str, policy_version: str = "v1"
    ) -> str:
        body = {"purpose": purpose, "policy_version": policy_version}
        r = await self.p.gateway.post("/v1/me/consents", json=body, headers=headers)
        assert r.status_code == 201, r.text
        consent_id: str = r.json()["consent_id"]
        return consent_id

    async def mail(
        self,
        address: str,
        match: Callable[[Received], bool] = lambda m: True,
        timeout_s: float = 30,
    ) -> Received:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while asyncio.get_running_loop().time() < deadline:
            found = [m for m in self.smtp.inbox.to(address) if match(m)]
            if found:
                return found[0]
            await asyncio.sleep(0.1)
        raise TimeoutError(f"no matching mail to {address}: {self.smtp.inbox.to(address)}")

    async def announced(self, count: int, timeout_s: float = 30) -> None:
        """Waits until notifications has read `count` policy changes and transfers."""
        conn = await asyncpg.connect(self.database_url)
        try:
            deadline = asyncio.get_running_loop().time() + timeout_s
            while asyncio.get_running_loop().time() < deadline:
                if await conn.fetchval("SELECT count(*) FROM announcements") >= count:
                    return
                await asyncio.sleep(0.1)
        finally:
            await conn.close()
        raise TimeoutError(f"notifications did not read {count} announcements")


def settings(
    url: str, p: Platform, smtp: SmtpServer, prefix: str, kafka: str
) -> NotificationsSettings:
    return NotificationsSettings(
        database_url=url,
        kafka_bootstrap_servers=kafka,
        topic_prefix=prefix,
        environment="test",
        identity_url=p.identity_url,
        consent_url=p.consent_url,
        client_secret=SECRET,
        smtp_port=smtp.port,
        send_every_s=0.1,
        retry_base_s=0.5,
        retry_max_s=5.0,
        max_attempts=50,
        public_url="https://app.example",
    )


@pytest.fixture
async def rig(infra: Infra) -> AsyncIterator[Rig]:
    prefix, kafka = unique_prefix(), infra.kafka_bootstrap_servers
    smtp = SmtpServer()
    smtp.start()
    try:
        async with AsyncExitStack() as stack:
            p = await stack.enter_async_context(platform(infra, prefix, erasure_grace_s=4))
            matching = await stack.enter_async_context(
                upstream("matching", infra.database_url, kafka, prefix)
            )
            url = await stack.enter_async_context(database(infra))
            port = free_port()
            clock = SkippingClock()
            app = create_app(settings(url, p, smtp, prefix, kafka), clock)
            await stack.enter_async_context(serving(app, port))
            client = await stack.enter_async_context(
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}")
            )
            await p.accounts.register(
                Profile(username="staff", name="Staff", email="staff@example.jp"),
                PASSWORD,
                Role.STAFF,
            )
            login = {"username": "staff", "password": PASSWORD}
            token = (await p.gateway.post("/v1/auth/login", json=login)).json()["access_token"]
            staff = {"Authorization": f"Bearer {token}"}
            policy = {
                "policy_version": "v1",
                "effective_at": "2026-04-01T00:00:00Z",
                "texts": texts("v1"),
            }
            assert (
                await p.gateway.post("/v1/policies", json=policy, headers=staff)
            ).status_code == 201
            yield Rig(p, smtp, matching, client, staff, clock, prefix, kafka, url)
    finally:
        smtp.stop()


def shared(org: str = "Sakura Shoji K.K.") -> DataShared:
    return DataShared(
        disclosure_id=uuid4(),
        shared_at=datetime(2026, 11, 20, tzinfo=UTC),
        purpose=Purpose.CLIENT_APPLICATION,
        organization_id="org-jp",
        recipient_legal_name=org,
        recipient_address="Tokyo",
        recipient_representative="Rep",
        recipient_country="JP",
        data_items=(DataCategory.RESUME, DataCategory.NAME),
        legal=LegalRef(basis=LegalBasis.LAWS_AND_REGULATIONS, reference="test"),
    )


async def test_registration_verification_in_the_persons_language(rig: Rig) -> None:
    subject, _ = await rig.student("emi", language="ja")
    mail = await rig.mail("emi@example.jp")
    assert mail.subject == "メールアドレスの確認"
    token = re.search(r"token=([\w-]+)", mail.body)
    assert token is not None
    assert mail.message_id.startswith("<") and mail.idempotency_key.endswith(
        f":email_verification:{subject}"
    )
    r = await rig.p.gateway.post("/v1/email-verifications", json={"token": token.group(1)})
    assert r.status_code == 200 and r.json()["subject_id"] == subject
    await rig.student("ken", language="en")
    assert (await rig.mail("ken@example.jp")).subject == "Confirm your email address"


async def test_policy_change_transfer_disclosure_and_blocked_application(rig: Rig) -> None:
    subject, me = await rig.student("aya")
    await rig.consent(me, "marketing")
    change = {"purpose": "marketing", "changed": True, "significant": True}
    policy = {"policy_version": "v2", "effective_at": "2026-06-01T00:00:00Z", "texts": texts("v2"),
              "changes": [change]}  # fmt: skip
    assert (
        await rig.p.gateway.post("/v1/policies", json=policy, headers=rig.staff)
    ).status_code == 201
    mail = await rig.mail("aya@example.jp", lambda m: "privacy policy" in m.subject)
    assert (
        "v2" in mail.body
        and "marketing" in mail.body
        and "https://app.example/me/consents" in mail.body
    )

    deadline = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    transfer = {"acquirer": "org-jp", "acquirer_name": "Acquirer K.K.", "purposes": ["marketing"],
                "opt_out_deadline": deadline.isoformat()}  # fmt: skip
    assert (
        await rig.p.gateway.post("/v1/transfers", json=transfer, headers=rig.staff)
    ).status_code == 201
    mail = await rig.mail("aya@example.jp", lambda m: "business transfer" in m.subject)
    assert "Acquirer K.K." in mail.body and deadline.date().isoformat() in mail.body
    assert "transfer-objections?transfer=" in mail.body

    await rig.matching.publish("application-1", shared(), subject_id=subject)
    mail = await rig.mail("aya@example.jp", lambda m: "was sent to" in m.subject)
    assert mail.subject == "Your data was sent to Sakura Shoji K.K." and "resume, name" in mail.body

    blocked = DataShareBlocked(organization_id="org-us", purpose=Purpose.CLIENT_APPLICATION, region="US",
                               reason=DecisionReason.REGION_NOT_COVERED, missing="a consent naming US")  # fmt: skip
    await rig.matching.publish("application-2", blocked, subject_id=subject)
    mail = await rig.mail("aya@example.jp", lambda m: "not sent" in m.subject)
    assert "region_not_covered" in mail.body and "a consent naming US" in mail.body


async def test_a_consent_read_after_the_announcements_that_concern_it_is_told_of_them(
    rig: Rig,
) -> None:
    """consent.events is keyed by person, and the policies stream sits on another partition:
    a consent may be read after a policy change or transfer that concerns it. Here the
    announcements are read first for certain; the consents come after."""
    _, kai = await rig.student("kai")
    mei_id, mei = await rig.student("mei")
    change = {"purpose": "marketing", "changed": True, "significant": True}
    policy = {"policy_version": "v2", "effective_at": "2026-06-01T00:00:00Z", "texts": texts("v2"),
              "changes": [change]}  # fmt: skip
    assert (
        await rig.p.gateway.post("/v1/policies", json=policy, headers=rig.staff)
    ).status_code == 201
    deadline = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    transfer = {"acquirer": "org-jp", "acquirer_name": "Acquirer K.K.", "purposes": ["marketing"],
                "opt_out_deadline": deadline.isoformat()}  # fmt: skip
    assert (
        await rig.p.gateway.post("/v1/transfers", json=transfer, headers=rig.staff)
    ).status_code == 201
    await rig.announced(2)

    await rig.consent(kai, "marketing")  # under v1, older than v2's significant change
    await rig.consent(mei, "marketing", policy_version="v2")
    mail = await rig.mail("kai@example.jp", lambda m: "privacy policy" in m.subject)
    assert "v2" in mail.body and "marketing" in mail.body
    mail = await rig.mail("kai@example.jp", lambda m: "business transfer" in m.subject)
    assert "Acquirer K.K." in mail.body
    await rig.mail("mei@example.jp", lambda m: "business transfer" in m.subject)
    history = (
        await rig.notifications.get(
            f"/subjects/{mei_id}/notifications", headers=await rig.p.narrowed(mei, "notifications")
        )
    ).json()["items"]
    kinds = sorted(h["kind"] for h in history)  # queued with the transfer, in one transaction
    assert kinds == ["business_transfer", "email_verification"]  # v2 is the version mei chose


async def test_job_alerts_and_marketing_only_with_consent_and_unsubscribe_withdraws(
    rig: Rig,
) -> None:
    yes, yes_h = await rig.student("yui")
    no, no_h = await rig.student("nao")
    for subject, headers in ((yes, yes_h), (no, no_h)):
        r = await rig.notifications.post(
            f"/subjects/{subject}/alerts", json={"keywords": ["python"]},
            headers=await rig.p.narrowed(headers, "notifications"),
        )  # fmt: skip
        assert r.status_code == 201, r.text
    await rig.consent(yes_h, "cv_and_job_alerts")
    await rig.consent(yes_h, "marketing")
    vacancy = VacancyPosted(vacancy_id=uuid4(), organization_id="org-jp", title="Python intern",
                            skills=("python",), location_country="JP")  # fmt: skip
    await rig.matching.publish("vacancy-1", vacancy)
    assert (await rig.mail("yui@example.jp", lambda m: "Python intern" in m.subject)).subject
    campaign = {"purpose": "marketing", "headline": "Autumn career fair", "body": "Join us."}
    r = await rig.notifications.post(
        "/campaigns", json=campaign, headers=await rig.p.narrowed(rig.staff, "notifications")
    )
    assert r.status_code == 201 and r.json()["queued"] == 1  # only the consenting person
    mail = await rig.mail("yui@example.jp", lambda m: m.subject == "Autumn career fair")

    async def settled() -> list[dict[str, Any]]:
        r = await rig.notifications.get(
            f"/subjects/{no}/notifications", headers=await rig.p.narrowed(no_h, "notifications")
        )
        return list(r.json()["items"])

    for _ in range(100):  # nao's job alert was queued (subscribed) and skipped at send time
        history = await settled()
        if any(h["kind"] == "job_alert" and h["status"] == "skipped" for h in history):
            break
        await asyncio.sleep(0.1)
    assert any(h["kind"] == "job_alert" and h["status"] == "skipped" for h in history)
    assert rig.smtp.inbox.to("nao@example.jp") == [m for m in rig.smtp.inbox.to("nao@example.jp")
                                                    if "Confirm" in m.subject]  # fmt: skip

    # [E] #18: each message records the use it was: yui's alert and campaign cite the consent
    # decision (her grant), nao's alert was refused (nothing used), a verification its basis.
    log = [
        json.loads(r.value)
        for r in await read_topic(rig.bootstrap, topic_for("notifications", rig.prefix))
    ]
    grants = {(g["subject_id"], g["payload"]["purpose"]): g["event_id"]
              for r in await read_topic(rig.bootstrap, topic_for("consent", rig.prefix))
              if (g := json.loads(r.value))["type"] == "ConsentGranted"}  # fmt: skip
    uses = {(e["subject_id"], e["type"], e["payload"]["kind"]): e["payload"]["use"] for e in log
            if e["type"] in ("NotificationSent", "NotificationFailed")}  # fmt: skip
    for kind, purpose in (("job_alert", "cv_and_job_alerts"), ("marketing", "marketing")):
        use = uses[(yes, "NotificationSent", kind)]
        assert (use["purpose"], use["basis"]) == (purpose, "consent"), use
        assert use["decision"]["consent_event_ids"] == [grants[(yes, purpose)]]
        assert use["decision"]["position"]["subject_version"] >= 1
    refused = uses[(no, "NotificationFailed", "job_alert")]
    assert (refused["basis"], refused["denied"], refused["decision"]) == ("refused", "no_consent",
                                                                          None)  # fmt: skip
    assert (no, "NotificationSent", "job_alert") not in uses
    verification = uses[(no, "NotificationSent", "email_verification")]
    assert (verification["purpose"], verification["basis"]) == ("recruitment_services", "contract")

    link = re.search(r"https://app.example/unsubscribe\?token=(\S+)", mail.body)  # the app page
    assert link is not None
    r = await rig.notifications.get("/unsubscribe", params={"token": link.group(1)})
    assert r.status_code == 200 and r.json()["withdrawn"] == 1
    records = await read_topic(rig.bootstrap, topic_for("consent", rig.prefix))
    withdrawals = [json.loads(r.value) for r in records if b'"ConsentWithdrawn"' in r.value]
    assert [w["subject_id"] for w in withdrawals] == [yes]
    forged = await rig.notifications.get(
        "/unsubscribe", params={"token": link.group(1)[:-3] + "abc"}
    )
    assert forged.status_code == 400


async def test_erasure_confirmation_goes_out_before_the_key_is_destroyed(rig: Rig) -> None:
    _, me = await rig.student("rin")
    gw = rig.p.gateway
    r = await gw.post("/v1/me/requests", json={"kind": "erasure"}, headers=me)  # step-up first
    assert r.status_code == 201, r.text
    request_id = r.json()["request_id"]
    code = await rig.mail(
        "rin@example.jp", lambda m: request_id in m.body and CODE.search(m.subject) is not None
    )  # the code's email, not the acknowledgement beside it
    found = CODE.search(code.subject)
    assert found is not None, code.subject
    verification = {"password": PASSWORD, "code": found.group(1)}
    r = await gw.post(f"/v1/me/requests/{request_id}/verification", json=verification, headers=me)
    assert r.status_code == 200, r.text
    mail = await rig.mail("rin@example.jp", lambda m: "erased" in m.subject)
    assert "pseudonymous" in mail.body


async def test_a_permanently_bad_address_fails_once_and_is_recorded(rig: Rig) -> None:
    subject, me = await rig.student("bad", email="bad@invalid.example")
    for _ in range(100):
        history = (
            await rig.notifications.get(
                f"/subjects/{subject}/notifications",
                headers=await rig.p.narrowed(me, "notifications"),
            )
        ).json()["items"]
        if history and history[0]["status"] == "failed":
            break
        await asyncio.sleep(0.1)
    assert [(h["kind"], h["status"], h["attempts"]) for h in history] == [
        ("email_verification", "failed", 1)
    ]
    records = await read_topic(rig.bootstrap, topic_for("notifications", rig.prefix))
    failed = [json.loads(r.value) for r in records if b'"NotificationFailed"' in r.value]
    assert failed and failed[0]["payload"]["permanent"] is True
    assert b"bad@invalid.example" not in b"".join(
        r.value for r in records
    )  # the address is encrypted


async def test_a_relay_that_fails_a_message_with_500_is_retried_until_it_takes_it(
    rig: Rig,
) -> None:
    """A 5xx to DATA is the relay's trouble, not the message's: retried with back-off."""
    # The refusals must fall on this message: the rig's own (its staff's verifications)
    # are delivered first.
    conn = await asyncpg.connect(rig.database_url)
    try:
        waiting = "SELECT count(*) = 0 FROM messages WHERE status IN ('pending', 'sending')"
        await eventually(lambda: conn.fetchval(waiting), timeout_s=60)
    finally:
        await conn.close()
    rig.smtp.inbox.data_failures = 3
    subject, me = await rig.student("ima")
    mail = await rig.mail("ima@example.jp", timeout_s=60)
    assert mail.subject == "Confirm your email address"
    assert rig.smtp.inbox.refused_data == 3

    async def marked() -> list[dict[str, Any]] | None:  # the sender marks it just after
        r = await rig.notifications.get(f"/subjects/{subject}/notifications",
                                        headers=await rig.p.narrowed(me, "notifications"))  # fmt: skip
        items: list[dict[str, Any]] = r.json()["items"]
        return items if items and items[0]["status"] != "sending" else None

    history = await eventually(marked)
    [(kind, status, attempts)] = [(h["kind"], h["status"], h["attempts"]) for h in history]
    assert (kind, status) == ("email_verification", "sent") and attempts > 1


async def test_messages_wait_while_smtp_is_down_and_go_out_when_it_returns(rig: Rig) -> None:
    rig.smtp.stop()
    try:
        subject, me = await rig.student("sho")

        async def attempts() -> int:
            r = await rig.notifications.get(
                f"/subjects/{subject}/notifications",
                headers=await rig.p.narrowed(me, "notifications"),
            )
            return max((h["attempts"] for h in r.json()["items"]), default=0)

        for tried in (2, 4):  # tried, then a minute without a mail server
            for _ in range(600):
                if await attempts() >= tried:
                    break
                await asyncio.sleep(0.05)
            rig.clock.skip(timedelta(seconds=30))
    finally:
        rig.smtp.start()
    rig.clock.skip(timedelta(minutes=5))  # past the longest back-off of the settings
    mail = await rig.mail("sho@example.jp", timeout_s=30)
    assert mail.subject == "Confirm your email address"
    assert len(rig.smtp.inbox.to("sho@example.jp")) == 1


async def test_a_message_that_raises_every_time_holds_up_no_other(rig: Rig) -> None:
    """[R] Six disclosure notices stayed `sending` forever behind a message that raised on
    every attempt: the sender's round stopped at it, and it came first again each round."""
    conn = await asyncpg.connect(rig.database_url)
    try:
        await conn.execute(
            """INSERT INTO messages (message_id, idempotency_key, subject_id, kind, params,
                                     created_at)
               VALUES ($1, 'poison', 'nobody', 'no-such-kind', '{}', now() - interval '1 hour')""",
            uuid4(),
        )
    finally:
        await conn.close()
    await rig.student("kai")
    mail = await rig.mail("kai@example.jp", timeout_s=30)
    assert mail.subject == "Confirm your email address"
    conn = await asyncpg.connect(rig.database_url)
    try:
        poison = await conn.fetchrow("SELECT status, last_error FROM messages WHERE "
                                     "idempotency_key = 'poison'")  # fmt: skip
    finally:
        await conn.close()
    assert poison is not None and poison["last_error"] == "ValueError"
