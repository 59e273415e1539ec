"""Failed passwords slow the next attempt down, instead of locking anyone out (issue 14,
items 2 and 5): re-authentication (erasure, a password change) like sign-ins."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from argon2 import PasswordHasher

from ac_identity.passwords import HASHING_THREADS
from tests.integration.identity.test_identity import PASSWORD, Rig, rig
from tests.support.clock import SkippingClock

__all__ = ["rig"]


def drive(rig: Rig) -> SkippingClock:
    """The back-off's clock, moved by the test."""
    clock = SkippingClock()
    passwords = getattr(rig.accounts, "passwords", None)  # (absent before the back-off)
    if passwords is not None:
        passwords.clock = clock
    return clock


async def test_failed_reauthentication_is_slowed_like_a_failed_sign_in(rig: Rig) -> None:
    """`DELETE /me` with a wrong password had no throttle: a stolen access token could guess
    the password at full speed. Now each failure past the fifth doubles the wait."""
    clock = drive(rig)
    await rig.register("umeko")
    headers = await rig.bearer("umeko")
    for i in range(5):
        wrong = {"password": f"not the password {i}"}
        r = await rig.http.request("DELETE", "/me", json=wrong, headers=headers)
        assert r.status_code == 401 and r.json()["detail"]["reason"] == "reauthentication_failed"
    right = {"password": PASSWORD}
    r = await rig.http.request("DELETE", "/me", json=right, headers=headers)
    assert r.status_code == 429 and r.json()["detail"]["reason"] == "too_many_attempts"
    assert r.headers["retry-after"] == "1" and r.json()["detail"]["retry_after_s"] == 1
    clock.skip(timedelta(seconds=1))
    r = await rig.http.request("DELETE", "/me", json={"password": "wrong again"}, headers=headers)
    assert r.status_code == 401  # its turn came; it failed: now two seconds
    clock.skip(timedelta(seconds=1))
    r = await rig.http.request("DELETE", "/me", json=right, headers=headers)
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    clock.skip(timedelta(seconds=1))
    r = await rig.http.request("DELETE", "/me", json=right, headers=headers)
    assert r.status_code == 204, r.text


async def test_password_hashing_leaves_the_event_loop_free(rig: Rig) -> None:
    """argon2 ran on the event loop: a few sign-ins stalled every other request. Now
    hashing runs in worker threads: while sign-ins hash, the service answers."""
    passwords = rig.accounts.passwords
    passwords.dummy = PasswordHasher(time_cost=20, memory_cost=65536).hash("costly")
    unknown = [asyncio.create_task(rig.login(f"nobody{i}")) for i in range(HASHING_THREADS)]
    for _ in range(500):  # until both are hashing (every hashing slot is taken)
        if passwords._hashing.locked():
            break
        await asyncio.sleep(0.01)
    assert passwords._hashing.locked(), "the sign-ins never hashed beside the event loop"
    r = await rig.http.get("/.well-known/jwks.json")
    assert r.status_code == 200
    assert not any(t.done() for t in unknown)  # answered while both were still hashing
    assert [(await t).status_code for t in unknown] == [401] * HASHING_THREADS
