"""The committed contracts are exactly what the models generate."""

from __future__ import annotations

from pathlib import Path

import yaml

from ac_events.catalogue import catalogue_events
from tools import contracts


def test_committed_contracts_match_the_models() -> None:
    assert contracts.stale() == [], "run `make schemas` and commit the result"


def test_a_changed_schema_is_found(tmp_path: Path) -> None:
    contracts.write(tmp_path)
    assert contracts.stale(tmp_path) == []
    target = tmp_path / "schemas" / "events" / "UserRegistered.v2.json"
    target.write_text(target.read_text().replace('"x-personal": true', '"x-personal": false'))
    (tmp_path / "schemas" / "events" / "Gone.v1.json").write_text("{}")
    assert contracts.stale(tmp_path) == [
        "schemas/events/Gone.v1.json",
        "schemas/events/UserRegistered.v2.json",
    ]


def test_asyncapi_names_every_topic_and_event() -> None:
    doc = yaml.safe_load((contracts.DOCS / "asyncapi.yaml").read_text())
    assert doc["asyncapi"].startswith("3.")
    assert set(doc["channels"]) == {
        "identity.events",
        "resumes.events",
        "matching.events",
        "consent.events",
        "notifications.events",
        "desk.events",
    }
    assert set(doc["components"]["messages"]) == {e.type for e in catalogue_events()}
