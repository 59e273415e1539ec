"""Identity's rules, pure: refresh-token rotation and the back-off of failed passwords (time is
passed in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# The username and password rules are the API's: `ac_contracts.identity`.


class RefreshOutcome(StrEnum):
    ROTATE = "rotate"
    """Valid: mark used, issue a new one in the same family."""
    REUSED = "reused"
    """Already used: someone replays it; revoke the whole family."""
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class RefreshToken:
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


def refresh_outcome(token: RefreshToken, now: datetime) -> RefreshOutcome:
    if token.revoked_at is not None:
        return RefreshOutcome.REVOKED
    if token.used_at is not None:
        return RefreshOutcome.REUSED
    if token.expires_at <= now:
        return RefreshOutcome.EXPIRED
    return RefreshOutcome.ROTATE


ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class Failures:
    """Failed passwords counted under one key (a source and an account, an account, a
    signed-in person re-authenticating), and when the last one was."""

    count: int
    last_at: datetime


@dataclass(frozen=True, slots=True)
class Backoff:
    """A delay that grows with failures, instead of a lock: the first `free` failures cost
    nothing, then each further attempt waits `base`, 2 x `base`, 4 x `base`, ... (at most
    `cap`) after the last failure. Failures older than `forget_after` are forgotten; a
    success forgets them at once."""

    free: int
    base: timedelta
    cap: timedelta
    forget_after: timedelta

    def wait(self, failures: Failures | None, now: datetime) -> timedelta:
        """How long the next attempt must still wait (zero: it may go ahead now)."""
        if failures is None or now - failures.last_at >= self.forget_after:
            return ZERO
        if failures.count < self.free:
            return ZERO
        delay: timedelta = min(self.cap, self.base * 2 ** min(failures.count - self.free, 30))
        left: timedelta = failures.last_at + delay - now
        return max(ZERO, left)

    def counted(self, failures: Failures | None, now: datetime) -> Failures:
        """The failures after one more, now."""
        if failures is None or now - failures.last_at >= self.forget_after:
            return Failures(1, now)
        return Failures(failures.count + 1, now)


PER_SOURCE = Backoff(free=5, base=timedelta(seconds=1), cap=timedelta(minutes=15),
                     forget_after=timedelta(days=1))  # fmt: skip
"""Sign-ins to one account from one source (a client address): a guesser there slows down;
the owner elsewhere does not."""
PER_ACCOUNT = Backoff(free=50, base=timedelta(seconds=1), cap=timedelta(minutes=15),
                      forget_after=timedelta(days=1))  # fmt: skip
"""Sign-ins to one account from every source together (guessing spread over many addresses):
it slows only sources that never signed in to the account, so no stranger locks the owner
out of a device or network they have used."""
REAUTHENTICATION = Backoff(free=5, base=timedelta(seconds=1), cap=timedelta(minutes=15),
                           forget_after=timedelta(days=1))  # fmt: skip
"""A signed-in person confirming with their password (erasure, a password change): only the
holder of their token can fail it."""


def login_wait(
    per_source: Failures | None, per_account: Failures | None, known_source: bool, now: datetime
) -> timedelta:
    """How long a sign-in to an account from a source must wait: its own back-off, and the
    account-wide one unless the source has signed in to this account before."""
    own = PER_SOURCE.wait(per_source, now)
    return own if known_source else max(own, PER_ACCOUNT.wait(per_account, now))


# ---------------------------------------------------------------- [D] #16 (6): reset links

RESET_TTL = timedelta(minutes=30)
"""How long an emailed password reset link works (once)."""


def reset_usable(expires_at: datetime, used_at: datetime | None, now: datetime) -> bool:
    """A reset link works once, and only before it expires."""
    return used_at is None and now < expires_at
