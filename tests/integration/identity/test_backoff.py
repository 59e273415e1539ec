"""Failed passwords slow the next attempt down, instead of locking anyone out (issue 14,
items 2 and 5): re-authentication (erasure, a password change) like sign-ins."""

from __future__ import annotations

from datetime import timedelta

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
