"""Notification rules, pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ac_events.catalogue import NotificationKind, Purpose
from ac_notifications.domain import (
    Alert,
    Announcement,
    BadLink,
    Consented,
    Outcome,
    Stage,
    alert_matches,
    concerned,
    idempotency_key,
    message_id,
    read_unsubscribe_token,
    retry_delay,
    smtp_outcome,
    unsubscribe_token,
)

KEY = b"k" * 32


def test_one_message_per_cause_kind_and_person() -> None:
    a = idempotency_key("e1", NotificationKind.DISCLOSURE, "s1")
    assert message_id(a) == message_id(idempotency_key("e1", NotificationKind.DISCLOSURE, "s1"))
    others = {
        idempotency_key("e2", NotificationKind.DISCLOSURE, "s1"),
        idempotency_key("e1", NotificationKind.JOB_ALERT, "s1"),
        idempotency_key("e1", NotificationKind.DISCLOSURE, "s2"),
    }
    assert message_id(a) not in {message_id(k) for k in others}


def test_back_off_doubles_up_to_a_ceiling() -> None:
    assert [retry_delay(n, 2, 60) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]


def test_only_a_refused_address_is_permanent_and_the_relays_troubles_retry() -> None:
    assert smtp_outcome(550, Stage.RECIPIENT) is Outcome.PERMANENT
    assert smtp_outcome(450, Stage.RECIPIENT) is Outcome.RETRY
    assert smtp_outcome(500, Stage.RELAY) is Outcome.RETRY  # a sink that cannot file it
    assert smtp_outcome(554, Stage.RELAY) is Outcome.RETRY
    assert smtp_outcome(421, Stage.RELAY) is Outcome.RETRY
    assert smtp_outcome(None, Stage.RELAY) is Outcome.RETRY


def test_alerts_match_keywords_and_countries() -> None:
    alert = Alert(("Python", "go"), ("JP",))
    assert alert_matches(alert, "Backend intern (python)", "JP")
    assert not alert_matches(alert, "Backend intern (python)", "US")
    assert not alert_matches(alert, "Sales", "JP")
    assert alert_matches(Alert((), ()), "anything", "DE")


def test_unsubscribe_links_round_trip_and_refuse_forgery() -> None:
    token = unsubscribe_token(KEY, "s1", Purpose.MARKETING)
    assert read_unsubscribe_token(KEY, token) == ("s1", Purpose.MARKETING)
    with pytest.raises(BadLink):
        read_unsubscribe_token(b"x" * 32, token)
    with pytest.raises(BadLink, match="expired"):
        read_unsubscribe_token(KEY, unsubscribe_token(KEY, "s1", Purpose.MARKETING, ttl_s=-1))
    with pytest.raises(BadLink):  # only opt-in purposes can be left by a link
        read_unsubscribe_token(KEY, unsubscribe_token(KEY, "s1", Purpose.CLIENT_APPLICATION))


@given(st.text(max_size=300))
def test_any_string_is_a_bad_link_never_a_crash(text: str) -> None:
    with pytest.raises(BadLink):
        read_unsubscribe_token(KEY, text)


NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_a_policy_change_concerns_consents_given_under_an_older_version_only() -> None:
    change = Announcement(frozenset({"marketing"}), policy_position=3)
    assert concerned(change, Consented("marketing", 1, NOW))
    assert not concerned(change, Consented("marketing", 3, NOW))  # chosen under it
    assert not concerned(change, Consented("marketing", 5, NOW))  # a later version
    assert not concerned(change, Consented("marketing", None, NOW))  # a version not read yet
    assert not concerned(change, Consented("cv_and_job_alerts", 1, NOW))  # another purpose


def test_a_transfer_concerns_consents_given_before_its_opt_out_deadline() -> None:
    transfer = Announcement(frozenset({"marketing", "promotions_and_events"}),
                            opt_out_deadline=NOW)  # fmt: skip
    assert concerned(transfer, Consented("marketing", 1, NOW - timedelta(days=40)))
    assert concerned(transfer, Consented("promotions_and_events", None, NOW - timedelta(1)))
    assert not concerned(transfer, Consented("marketing", 1, NOW))  # too late to object
    assert not concerned(transfer, Consented("client_application", 1, NOW - timedelta(1)))
