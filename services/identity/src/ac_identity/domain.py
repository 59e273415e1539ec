"""Identity's rules, pure: refresh-token rotation and login throttling (time is passed in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

THROTTLE_WINDOW = timedelta(minutes=1)
THROTTLE_AFTER = 5
"""Failed logins per account within the window before further attempts are refused."""
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


def throttled(recent_failures: int) -> bool:
    """The next attempt is refused once `THROTTLE_AFTER` attempts failed within the window."""
    return recent_failures >= THROTTLE_AFTER
