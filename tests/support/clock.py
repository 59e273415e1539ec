"""A clock a test moves forward: the real time plus what the test has skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SkippingClock:
    """`ac_platform.clock.Clock` for tests: now, plus every `skip` so far."""

    def __init__(self) -> None:
        self.skipped = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.skipped

    def skip(self, by: timedelta) -> None:
        self.skipped += by
