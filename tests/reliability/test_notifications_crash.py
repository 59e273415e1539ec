"""The notifications service killed (SIGKILL) in the middle of a batch and restarted:
every message arrives, counted by Message-ID at a real SMTP server, and none twice,
except a message that was in flight at the kill (the SMTP hop's one window, where the
same Message-ID is sent again)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import httpx

from ac_events.catalogue import NotificationKind
from ac_notifications.domain import message_id
from tests.support.infra import REPO_ROOT, Infra, create_database, drop_database, unique_prefix
from tests.support.net import free_port
from tests.support.platform import SECRET, platform
from tests.support.smtp import SmtpServer

PASSWORD = "correct horse battery staple"
PEOPLE = 30


@contextmanager
def notifications_process(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "uvicorn", "ac_notifications.app:create_app", "--factory",
               "--port", str(port), "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=REPO_ROOT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(30)


async def ready(port: int, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError("notifications exited while starting")
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError("notifications did not become ready")


async def test_kill_mid_batch_and_restart_sends_each_message_once(infra: Infra) -> None:
    prefix = unique_prefix()
    smtp = SmtpServer(delay_s=0.05)
    smtp.start()
    url = await create_database(infra.database_url)
    try:
        async with platform(infra, prefix) as p:
            subjects = []
            for i in range(PEOPLE):
                body = {"username": f"person{i}", "password": PASSWORD, "name": f"Person {i}",
                        "email": f"person{i}@example.jp"}  # fmt: skip
                assert (await p.gateway.post("/v1/users", json=body)).status_code == 202
                subjects.append((await p.login(f"person{i}", PASSWORD))[1])
            env = {
                "NOTIFICATIONS_DATABASE_URL": url,
                "NOTIFICATIONS_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
                "NOTIFICATIONS_TOPIC_PREFIX": prefix,
                "NOTIFICATIONS_ENVIRONMENT": "test",
                "NOTIFICATIONS_IDENTITY_URL": p.identity_url,
                "NOTIFICATIONS_CONSENT_URL": p.consent_url,
                "NOTIFICATIONS_CLIENT_SECRET": SECRET,
                "NOTIFICATIONS_SMTP_PORT": str(smtp.port),
                "NOTIFICATIONS_SEND_EVERY_S": "0.05",
                "NOTIFICATIONS_SENDING_LEASE_S": "2",
                "NOTIFICATIONS_LOG_LEVEL": "WARNING",
            }
            port = free_port()
            with notifications_process(env, port) as first:
                await ready(port, first)
                for _ in range(6000):  # up to a minute, until a third has arrived
                    if len(_ours(smtp, subjects)) >= PEOPLE // 3:
                        break
                    await asyncio.sleep(0.01)
                first.send_signal(signal.SIGKILL)
                first.wait(10)
            delivered_at_kill = len(_ours(smtp, subjects))
            conn = await asyncpg.connect(url)
            try:
                in_flight = {
                    f"<{r['message_id']}@activeconnector.example>"
                    for r in await conn.fetch(
                        "SELECT message_id FROM messages WHERE status = 'sending'"
                    )
                }
            finally:
                await conn.close()
            with notifications_process(env, port) as second:
                await ready(port, second)
                # Until every message is marked sent: a duplicate would be sent before its
                # message is marked (resending a message claimed at the kill), never after.
                conn = await asyncpg.connect(url)
                try:
                    for _ in range(600):
                        left = await conn.fetchval(
                            "SELECT count(*) FROM messages WHERE status <> 'sent'"
                        )
                        if left == 0 and len(_ours(smtp, subjects)) >= PEOPLE:
                            break
                        await asyncio.sleep(0.1)
                finally:
                    await conn.close()
    finally:
        smtp.stop()
        await drop_database(infra.database_url, url)

    # The platform's own staff (the desk's supervisor) are sent their verification too.
    mine = [m for m in smtp.inbox.messages if m.idempotency_key.rsplit(":", 1)[1] in subjects]
    keys = Counter(m.idempotency_key for m in mine)
    ids = Counter(m.message_id for m in mine)
    for key in keys:  # each Message-ID is the one derived from its idempotency key
        assert f"<{message_id(key)}@activeconnector.example>" in ids
    assert PEOPLE // 3 <= delivered_at_kill < PEOPLE, "the kill did not land mid-batch"
    kind = NotificationKind.EMAIL_VERIFICATION.value
    assert sorted(k.rsplit(":", 1)[1] for k in keys if f":{kind}:" in k) == sorted(subjects)
    duplicates = {i for i, n in ids.items() if n > 1}
    assert duplicates <= in_flight and len(duplicates) <= 1, (duplicates, in_flight)
    assert len(ids) == PEOPLE
    print(
        f"killed after {delivered_at_kill}/{PEOPLE} sent; in flight {len(in_flight)}; duplicates {len(duplicates)}"
    )


def _ours(smtp: SmtpServer, subjects: list[str]) -> set[str]:
    """The Message-IDs of what reached the test's people."""
    return {m.message_id for m in smtp.inbox.messages
            if m.idempotency_key.rsplit(":", 1)[1] in subjects}  # fmt: skip
