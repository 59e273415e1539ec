"""Identity's rules, pure: passwords, usernames, refresh-token rotation, login throttling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,39}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 256
THROTTLE_WINDOW = timedelta(minutes=1)
THROTTLE_AFTER = 5
"""Failed logins per account within the window before further attempts are refused."""


PASSWORD_RULES = (
    f"{MIN_PASSWORD} to {MAX_PASSWORD} characters, at least 4 different characters, "
    "and not containing the username"
)
"""The password rules in one sentence: for the API's schema, the admin command and the README."""
USERNAME_RULES = (
    "3 to 40 characters: letters, digits, '_', '.', '-', starting with a letter or digit"
)


def normalise_username(username: str) -> str:
    return username.strip().lower()


def username_problem(username: str) -> str | None:
    if not USERNAME.fullmatch(normalise_username(username)):
        return USERNAME_RULES
    return None


def password_problems(password: str, username: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        problems.append(f"at most {MAX_PASSWORD} characters")
    if normalise_username(username) and normalise_username(username) in password.lower():
        problems.append("must not contain the username")
    if len(set(password)) < 4:
        problems.append("too few distinct characters")
    return problems


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
