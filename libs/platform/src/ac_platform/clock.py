"""Time as a dependency: services read it from a `Clock` they are given, never from the
system clock directly, so tests can drive it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The system clock, in UTC (the default `Clock`)."""
    return datetime.now(UTC)
