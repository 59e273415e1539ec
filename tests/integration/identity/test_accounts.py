"""[D] #16 (6): accounts people can recover and control, through the gateway, over real
Kafka, PostgreSQL and SMTP: a forgotten password reset by an emailed link (the same answer
for an unknown account, the link once and for 30 minutes on identity's clock, every session
ended), a password change (the other sessions end, this one stays), the sessions and their
end everywhere (refresh and token exchange refused), a new verification link, a username
changed (and a taken one refused)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ac_contracts.identity import ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE
from ac_identity import store
from ac_identity.retention import prune_reset_links
from ac_identity.tokens import digest
from tests.support.desk import PASSWORD, DeskRig
from tests.support.infra import Infra, unique_prefix
from tests.support.platform import SECRET, platform
from tests.support.wait import eventually

NEW = "a brand new passphrase 7"
LINK = re.compile(r"/reset-password\?token=([A-Za-z0-9_\-]+)")
VERIFY = re.compile(r"/verify-email\?token=([A-Za-z0-9_\-]+)")


@pytest.fixture(scope="module")
async def rig(infra: Infra) -> AsyncIterator[DeskRig]:
    async with platform(infra, unique_prefix(), notifications=True) as p:
        yield DeskRig(p)


async def tokens(rig: DeskRig, username: str, password: str = PASSWORD) -> dict[str, Any]:
    r = await rig.gw.post("/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def bearer(t: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {t['access_token']}"}


async def refreshes(rig: DeskRig, t: dict[str, Any]) -> int:
    r = await rig.gw.post("/v1/auth/refresh", json={"refresh_token": t["refresh_token"]})
    return r.status_code


async def exchanges(rig: DeskRig, t: dict[str, Any]) -> int:
    """Whether identity still exchanges the person's access token (as the gateway does)."""
    body = {"grant_type": TOKEN_EXCHANGE, "client_id": "tests", "client_secret": SECRET,
            "subject_token": t["access_token"], "subject_token_type": ACCESS_TOKEN_TYPE,
            "audience": "identity"}  # fmt: skip
    async with httpx.AsyncClient(base_url=rig.p.identity_url) as client:
        r = await client.post("/oauth/token", json=body)
    return r.status_code


async def reset_links(rig: DeskRig, address: str, count: int) -> list[str]:
    smtp = rig.p.smtp
    assert smtp is not None

    async def found() -> list[str] | None:
        links = [m.group(1) for x in smtp.inbox.to(address) if (m := LINK.search(x.body))]
        return links if len(links) >= count else None

    return await eventually(found)


async def test_a_reset_answers_the_same_for_anyone_and_emails_only_a_known_account(
    rig: DeskRig,
) -> None:
    who = await rig.student("reset.known")
    known = await rig.gw.post("/v1/password-resets", json={"username": "reset.known"})
    unknown = await rig.gw.post("/v1/password-resets", json={"username": "nobody.here"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    [token] = await reset_links(rig, who.email, 1)
    assert rig.p.smtp is not None
    assert not [m for m in rig.p.smtp.inbox.messages if "nobody.here" in m.to]
    before = await tokens(rig, "reset.known")
    # A password breaking a rule is refused by name, and the link still works.
    weak = await rig.gw.post("/v1/password-resets/confirm",
                             json={"token": token, "new_password": "reset.known 1234"})  # fmt: skip
    assert weak.status_code == 422 and weak.json()["detail"]["reason"] == "weak_password"
    assert "username" in weak.json()["detail"]["message"]
    done = await rig.gw.post("/v1/password-resets/confirm",
                             json={"token": token, "new_password": NEW})  # fmt: skip
    assert done.status_code == 204, done.text
    # Once only.
    again = await rig.gw.post("/v1/password-resets/confirm",
                              json={"token": token, "new_password": "yet another phrase 9"})  # fmt: skip
    assert again.status_code == 400 and again.json()["detail"]["reason"] == "reset_link_invalid"
    # The new password signs in, the old does not; every old session has ended.
    await tokens(rig, "reset.known", NEW)
    old = await rig.gw.post(
        "/v1/auth/login", json={"username": "reset.known", "password": PASSWORD}
    )
    assert old.status_code == 401
    assert await refreshes(rig, before) == 401
    assert await exchanges(rig, before) == 401


async def test_an_expired_or_unknown_link_is_refused(rig: DeskRig) -> None:
    who = await rig.student("reset.late")
    assert (
        await rig.gw.post("/v1/password-resets", json={"username": "reset.late"})
    ).status_code == 202
    [token] = await reset_links(rig, who.email, 1)
    clock = rig.p.identity_clock
    assert clock is not None
    clock.skip(timedelta(minutes=31))
    try:
        late = await rig.gw.post("/v1/password-resets/confirm",
                                 json={"token": token, "new_password": NEW})  # fmt: skip
    finally:
        clock.skip(-timedelta(minutes=31))
    assert late.status_code == 400 and late.json()["detail"]["reason"] == "reset_link_invalid"
    bogus = await rig.gw.post("/v1/password-resets/confirm",
                              json={"token": "x" * 43, "new_password": NEW})  # fmt: skip
    assert bogus.json()["detail"]["reason"] == "reset_link_invalid"
    await tokens(rig, "reset.late")  # the password is unchanged
    # A day after, the dead link's row (a hash) is gone too.
    accounts = rig.p.accounts
    assert await store.reset(accounts.pool, digest(token)) is not None
    await prune_reset_links(accounts, datetime.now(UTC) + timedelta(days=2))
    assert await store.reset(accounts.pool, digest(token)) is None


async def test_a_password_change_keeps_this_session_and_ends_the_others(rig: DeskRig) -> None:
    await rig.student("change.pw")
    mine, other = await tokens(rig, "change.pw"), await tokens(rig, "change.pw")
    wrong = await rig.gw.post("/v1/me/password", headers=bearer(mine),
                              json={"current_password": "not my password", "new_password": NEW})  # fmt: skip
    assert (
        wrong.status_code == 401 and wrong.json()["detail"]["reason"] == "reauthentication_failed"
    )
    r = await rig.gw.post("/v1/me/password", headers=bearer(mine),
                          json={"current_password": PASSWORD, "new_password": NEW})  # fmt: skip
    assert r.status_code == 204, r.text
    assert (await rig.gw.get("/v1/me", headers=bearer(mine))).status_code == 200
    assert await refreshes(rig, mine) == 200
    assert await refreshes(rig, other) == 401
    assert (await rig.gw.get("/v1/me", headers=bearer(other))).status_code == 401
    await tokens(rig, "change.pw", NEW)


async def test_sessions_are_listed_and_signing_out_everywhere_ends_every_one(
    rig: DeskRig,
) -> None:
    await rig.student("many.sessions")
    first, second = await tokens(rig, "many.sessions"), await tokens(rig, "many.sessions")
    listed = await rig.gw.get("/v1/me/sessions", headers=bearer(second))
    assert listed.status_code == 200, listed.text
    sessions = listed.json()
    assert len(sessions) == 3 and all(s["active"] for s in sessions)  # rig.student signed in too
    assert [s["current"] for s in sessions].count(True) == 1
    assert all(s["created_at"] <= s["last_used_at"] for s in sessions)
    ended = await rig.gw.delete("/v1/me/sessions", headers=bearer(first))
    assert ended.status_code == 200 and ended.json() == {"ended": 3}, ended.text
    for t in (first, second):
        assert await refreshes(rig, t) == 401
        assert await exchanges(rig, t) == 401
        assert (await rig.gw.get("/v1/me", headers=bearer(t))).status_code == 401
    later = await tokens(rig, "many.sessions")
    after = (await rig.gw.get("/v1/me/sessions", headers=bearer(later))).json()
    assert [s["active"] for s in after].count(True) == 1


async def test_a_new_verification_link_until_the_address_is_confirmed(rig: DeskRig) -> None:
    who = await rig.student("verify.again")
    r = await rig.gw.post("/v1/me/email-verifications", headers=who.headers)
    assert r.status_code == 202, r.text
    smtp = rig.p.smtp
    assert smtp is not None

    async def links() -> list[str] | None:
        found = [m.group(1) for x in smtp.inbox.to(who.email) if (m := VERIFY.search(x.body))]
        return found if len(found) >= 2 else None

    newest = (await eventually(links))[-1]
    ok = await rig.gw.post("/v1/email-verifications", json={"token": newest})
    assert ok.status_code == 200, ok.text
    again = await rig.gw.post("/v1/me/email-verifications", headers=who.headers)
    assert again.status_code == 409 and again.json()["detail"]["reason"] == "email_already_verified"


async def test_a_username_changes_with_the_password_and_a_taken_one_is_refused(
    rig: DeskRig,
) -> None:
    who = await rig.student("old.name")
    await rig.student("taken.name")
    body = {"username": "taken.name", "password": PASSWORD}
    taken = await rig.gw.put("/v1/me/username", json=body, headers=who.headers)
    assert taken.status_code == 409 and taken.json()["detail"] == {
        "reason": "username_taken", "message": "that username is taken"}  # fmt: skip
    wrong = await rig.gw.put("/v1/me/username", headers=who.headers,
                             json={"username": "new.name", "password": "not my password"})  # fmt: skip
    assert wrong.status_code == 401
    r = await rig.gw.put("/v1/me/username", headers=who.headers,
                         json={"username": "New.Name", "password": PASSWORD})  # fmt: skip
    assert r.status_code == 200 and r.json()["profile"]["username"] == "new.name", r.text
    await tokens(rig, "new.name")
    gone = await rig.gw.post("/v1/auth/login", json={"username": "old.name", "password": PASSWORD})
    assert gone.status_code == 401
    # The old name is free again.
    assert (await rig.gw.post("/v1/users", json={
        "username": "old.name", "password": PASSWORD, "name": "Someone Else",
        "email": "someone.else@example.jp"})).status_code == 202  # fmt: skip
    await tokens(rig, "old.name")
