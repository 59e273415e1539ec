"""A restore drill (issue 14, item 8): back up identity's database, erase a person, restore
the backup, and the person stays erased.

Wrapped data keys live in identity's database, and its backups are kept for 30 days: a
restore brings back the key, the account and the profile of everyone erased since the
backup. The erasure list that a restore does not undo is identity's own topic (kept
forever): identity reads it back with its offsets stored in its database, so a restore
rewinds them to the backup, and every erasure since is carried out again.

With `pg_dump` / `pg_restore` from the OS packages, as an operator would restore.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from ac_contracts.identity import ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE
from ac_events.kafka import topic_for
from ac_identity.app import create_app
from ac_identity.settings import IdentitySettings
from tests.support.infra import Infra, create_database, drop_database
from tests.support.kafka import read_topic
from tests.support.platform import SECRET, identity_settings

PASSWORD = "correct horse battery staple"


@asynccontextmanager
async def identity(settings: IdentitySettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://i") as http,
    ):
        yield http


def pg(tool: str, url: str, *args: str) -> None:
    """`pg_dump` / `pg_restore` against the database of `url` (its password from the URL)."""
    parts = urlsplit(url)
    env = {"PGPASSWORD": parts.password or "", "PATH": "/usr/bin:/bin"}
    command = [tool, "-h", parts.hostname or "", "-p", str(parts.port), "-U", parts.username or "",
               "-d", parts.path.lstrip("/"), *args]  # fmt: skip
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)


async def published(kafka: str, topic: str, subject: str, event: str) -> None:
    for _ in range(100):
        records = await read_topic(kafka, topic)
        mine = [r.value for r in records if subject.encode() in r.value]
        if any(f'"type":"{event}"'.encode() in v for v in mine):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{event} was not published")


@pytest.fixture
async def database(infra: Infra) -> AsyncIterator[str]:
    url = await create_database(infra.database_url)
    yield url
    await drop_database(infra.database_url, url)


async def test_a_restored_backup_does_not_bring_an_erased_person_back(
    infra: Infra, database: str, topic_prefix: str, tmp_path: Path
) -> None:
    kafka = infra.kafka_bootstrap_servers
    settings = identity_settings(
        database_url=database, kafka_bootstrap_servers=kafka, topic_prefix=topic_prefix,
        environment="test", erasure_grace_s=0.2,
        service_credentials=json.dumps({"tests": IdentitySettings.secret_digest(SECRET)}),
    )  # fmt: skip
    login = {"username": "fumiko", "password": PASSWORD}
    backup = tmp_path / "identity.dump"
    async with identity(settings) as http:
        body = {**login, "name": "Fumiko", "email": "fumiko@example.jp"}
        assert (await http.post("/users", json=body)).status_code == 202
        subject = (await http.post("/sessions", json=login)).json()["subject_id"]
        other = {"username": "goro", "password": PASSWORD, "name": "Goro", "email": "g@example.jp"}
        assert (await http.post("/users", json=other)).status_code == 202
        pg("pg_dump", database, "-Fc", "-f", str(backup))  # the nightly backup

        token = (await http.post("/sessions", json=login)).json()["access_token"]
        grant = {"grant_type": TOKEN_EXCHANGE, "client_id": "tests", "client_secret": SECRET,
                 "subject_token": token, "subject_token_type": ACCESS_TOKEN_TYPE,
                 "audience": "identity"}  # fmt: skip
        narrowed = (await http.post("/oauth/token", json=grant)).json()["access_token"]
        me = {"Authorization": f"Bearer {narrowed}"}
        erased = await http.request("DELETE", "/me", json={"password": PASSWORD}, headers=me)
        assert erased.status_code == 204
        await published(kafka, topic_for("identity", topic_prefix), subject, "SubjectErased")

    await drop_database(infra.database_url, database)  # the disaster, then the restore
    name = urlsplit(database).path.lstrip("/")
    await create_database(infra.database_url, name)
    pg("pg_restore", database, "--no-owner", str(backup))

    async with identity(settings) as http:
        service = {"grant_type": "client_credentials", "client_id": "tests",
                   "client_secret": SECRET, "audience": "identity"}  # fmt: skip
        bearer = (await http.post("/oauth/token", json=service)).json()["access_token"]
        keys = {"Authorization": f"Bearer {bearer}"}
        for _ in range(200):
            signed_in = (await http.post("/sessions", json=login)).status_code
            key = (await http.get(f"/internal/keys/{subject}", headers=keys)).status_code
            if (signed_in, key) == (401, 410):
                break
            await asyncio.sleep(0.1)
        assert (signed_in, key) == (401, 410)  # no account, and the key destroyed again
        again = {"username": "goro", "password": PASSWORD}
        assert (await http.post("/sessions", json=again)).status_code == 200  # the others stay
