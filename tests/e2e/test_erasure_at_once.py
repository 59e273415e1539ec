"""An erasure holds at once in every service that caches data keys (issue 14, item 8).

Services keep data keys in memory for a minute. Before, an erased person's key stayed in
those caches until they expired: the audit, asked through the gateway a moment after an
erasure, read its cached copy and reported the person's key as still there
(`erased_unreadable`). Now each replica drops the key when `SubjectErased` is published
(`ac_platform.erasures`), and the audit when its replay sees it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from functools import partial

import pytest
from fastapi import FastAPI

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from ac_events.keyring import CachedKeyring
from tests.support.infra import Infra, unique_prefix
from tests.support.platform import Platform, platform

PASSWORD = "correct horse battery staple"


@pytest.fixture
async def live(infra: Infra) -> AsyncIterator[Platform]:
    async with platform(infra, unique_prefix()) as p:
        yield p


def holds(app: FastAPI, subject: str) -> bool:
    """Whether the service's cache has the person's key now."""
    keyring = app.state.deps.keyring
    assert isinstance(keyring, CachedKeyring)
    return keyring._cached(subject) is not None


def gone(app: FastAPI, subject: str) -> bool:
    return not holds(app, subject)


async def eventually(check: Callable[[], bool], seconds: float = 10) -> bool:
    for _ in range(int(seconds * 20)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


async def test_no_service_reads_an_erased_persons_key_from_its_cache(live: Platform) -> None:
    p = live
    await p.accounts.register(
        Profile(username="auditor", name="A", email="a@example.jp"), PASSWORD, Role.AUDITOR
    )
    auditor = (await p.login("auditor", PASSWORD))[0]
    body = {"username": "nana", "password": PASSWORD, "name": "Nana", "email": "n@example.jp"}
    assert (await p.gateway.post("/v1/users", json=body)).status_code == 202
    me, subject = await p.login("nana", PASSWORD)
    cv = {"skills": ["Python"], "free_text": "Streams."}
    assert (await p.gateway.post("/v1/me/resume", json=cv, headers=me)).status_code == 201
    record = f"/v1/audit/subjects/{subject}/record"
    assert (await p.gateway.get(record, headers=auditor)).status_code == 200
    services = {"resumes": p.resumes, "matching": p.matching}
    for name, app in services.items():  # each has the key in its cache now
        assert await eventually(partial(holds, app, subject)), name

    await p.accounts.erase(subject)  # as the desk's verified erasure request has identity do
    page: dict[str, object] = {}
    for _ in range(200):  # until the log says the person is erased (consent read it)
        page = (
            await p.gateway.get(f"/v1/audit/subjects/{subject}/consents", headers=auditor)
        ).json()
        if page.get("erased"):
            break
        await asyncio.sleep(0.1)
    assert page["erased"] is True
    report = (await p.gateway.get(f"/v1/audit/checks?subject={subject}", headers=auditor)).json()
    [rule] = [r for r in report["rules"] if r["name"] == "erased_unreadable"]
    assert rule["findings"] == [], rule["findings"]
    for name, app in services.items():
        assert await eventually(partial(gone, app, subject), 5), name
