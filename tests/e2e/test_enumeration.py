"""No one learns from registration which usernames exist (issue 14, item 5).

Before, a taken username answered `409 username_taken`: anyone could list the accounts
(staff's included). Now a free and a taken username get the same answer (202, the same
body); the email tells which: a free one gets its confirmation link, and the owner of a
taken one is told that someone tried it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.support.infra import Infra, unique_prefix
from tests.support.platform import Platform, platform
from tests.support.smtp import Received

PASSWORD = "correct horse battery staple"


@pytest.fixture
async def live(infra: Infra) -> AsyncIterator[Platform]:
    async with platform(infra, unique_prefix(), notifications=True) as p:
        yield p


async def inbox(p: Platform, address: str, count: int) -> list[Received]:
    assert p.smtp is not None
    for _ in range(300):
        mails = p.smtp.inbox.to(address)
        if len(mails) >= count:
            return mails
        await asyncio.sleep(0.1)
    return p.smtp.inbox.to(address)


async def test_a_taken_username_answers_like_a_free_one_and_its_owner_is_told(
    live: Platform,
) -> None:
    p = live
    owner = {"username": "sora", "password": PASSWORD, "name": "Sora", "email": "sora@e.jp",
             "language": "en"}  # fmt: skip
    first = await p.gateway.post("/v1/users", json=owner)
    prober = {**owner, "password": "another password 123", "email": "prober@e.jp"}
    second = await p.gateway.post("/v1/users", json=prober)
    taken_by_case = await p.gateway.post("/v1/users", json={**prober, "username": "SORA"})
    assert first.status_code == second.status_code == taken_by_case.status_code == 202
    assert first.json() == second.json() == taken_by_case.json()
    assert "subject_id" not in first.json()

    mails = await inbox(p, "sora@e.jp", 3)
    subjects = sorted(m.subject for m in mails)
    assert subjects == ["Confirm your email address",
                        "Someone tried to register your username",
                        "Someone tried to register your username"]  # fmt: skip
    assert p.smtp is not None and p.smtp.inbox.to("prober@e.jp") == []
    login = {"username": "sora", "password": PASSWORD}
    assert (await p.gateway.post("/v1/auth/login", json=login)).status_code == 200
    stolen = {"username": "sora", "password": "another password 123"}
    assert (await p.gateway.post("/v1/auth/login", json=stolen)).status_code == 401
