"""[D] The retention table as data, and the events the desk's issue changed, read from their
older versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from ac_events.catalogue import (
    PolicyPublished,
    PolicyTexts,
    ProfileUpdated,
    RecordKind,
    UserRegistered,
    policy_text_sha256,
    upcast,
)
from ac_events.retention import RETENTION, TABLE, load


def test_every_kind_of_record_has_its_period_in_the_one_table() -> None:
    assert set(RETENTION) == set(RecordKind)
    assert RETENTION[RecordKind.PROVISION_RECORD].period >= timedelta(days=3 * 365)
    assert RETENTION[RecordKind.GUEST_REQUEST].period == timedelta(days=365)
    assert RETENTION[RecordKind.UNVERIFIED_ACCOUNT].period == timedelta(days=30)
    assert RETENTION[RecordKind.MESSAGE_BODY].period == timedelta(days=90)
    holders = {p.held_by for p in RETENTION.values()}
    assert holders == {"matching", "desk", "identity", "notifications"}
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert RETENTION[RecordKind.MESSAGE_BODY].cutoff(now) == now - timedelta(days=90)


def test_a_table_missing_a_kind_does_not_load(tmp_path: Path) -> None:
    broken = tmp_path / "retention.yaml"
    text = TABLE.read_text(encoding="utf-8")
    broken.write_text(text.split("message_body:")[0], encoding="utf-8")
    with pytest.raises(ValueError, match="missing \\['message_body'\\]"):
        load(broken)


def test_a_v1_policy_is_read_with_no_text_and_a_v2_one_must_hash_to_its_text() -> None:
    v1 = {"policy_version": "2013-09", "effective_at": "2013-09-01T00:00:00+09:00",
          "changes": [], "text_sha256": "a" * 64}  # fmt: skip
    event = PolicyPublished.model_validate(upcast("PolicyPublished", 1, v1))
    assert event.texts is None
    texts = PolicyTexts(ja="本文", en="The text")
    ok = PolicyPublished(policy_version="v2", effective_at=datetime.now(UTC),
                         text_sha256=policy_text_sha256({"ja": "本文", "en": "The text"}),
                         texts=texts)  # fmt: skip
    assert ok.texts == texts
    with pytest.raises(ValidationError, match="not the SHA-256"):
        PolicyPublished(policy_version="v2", effective_at=datetime.now(UTC),
                        text_sha256="a" * 64, texts=texts)  # fmt: skip


def test_older_registrations_and_profile_changes_read_as_the_current_version() -> None:
    registered = {"role": "student", "username": "u", "name": "N", "email": "e@example.jp"}
    assert UserRegistered.model_validate(
        upcast("UserRegistered", 1, registered)).policy_version is None  # fmt: skip
    assert ProfileUpdated.model_validate(upcast("ProfileUpdated", 1, {"school": "S"})).removed == ()
