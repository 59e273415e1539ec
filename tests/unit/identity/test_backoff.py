"""The back-off of failed passwords, pure: a delay that grows, never a lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ac_identity.domain import (
    PER_ACCOUNT,
    PER_SOURCE,
    RESET_TTL,
    ZERO,
    Failures,
    login_wait,
    reset_usable,
)

T0 = datetime(2026, 5, 1, tzinfo=UTC)
S = timedelta(seconds=1)


def test_the_first_five_failures_cost_nothing_then_each_doubles_the_wait() -> None:
    failures = None
    waits = []
    for i in range(9):
        now = T0 + i * S
        waits.append(PER_SOURCE.wait(failures, now))
        failures = PER_SOURCE.counted(failures, now)
    assert waits[:6] == [ZERO] * 6
    assert [PER_SOURCE.wait(Failures(n, T0), T0) for n in (5, 6, 7, 8)] == [S, 2 * S, 4 * S, 8 * S]


def test_the_wait_is_capped_and_old_failures_are_forgotten() -> None:
    assert PER_SOURCE.wait(Failures(500, T0), T0) == timedelta(minutes=15)
    assert PER_SOURCE.wait(Failures(500, T0), T0 + timedelta(days=1)) == ZERO
    assert PER_SOURCE.counted(Failures(500, T0), T0 + timedelta(days=1)) == Failures(
        1, T0 + timedelta(days=1)
    )


def test_guessing_spread_over_many_sources_does_not_slow_a_source_the_owner_used() -> None:
    everyone = Failures(PER_ACCOUNT.free + 3, T0)
    assert login_wait(None, everyone, known_source=False, now=T0) == 8 * S
    assert login_wait(None, everyone, known_source=True, now=T0) == ZERO
    own = Failures(PER_SOURCE.free + 1, T0)
    assert login_wait(own, everyone, known_source=True, now=T0) == 2 * S


def test_a_reset_link_works_once_and_only_for_30_minutes() -> None:
    sent = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    expires = sent + RESET_TTL
    assert timedelta(minutes=30) == RESET_TTL
    assert reset_usable(expires, None, sent + timedelta(minutes=29))
    assert not reset_usable(expires, None, sent + timedelta(minutes=30))
    assert not reset_usable(expires, sent + timedelta(minutes=1), sent + timedelta(minutes=2))
