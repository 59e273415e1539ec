"""Other services' events -> the consent view (consent consumes identity and matching).

- identity: `ClientOrganizationRegistered` (the recipients a consent or a
  decision may name, and their countries), `SubjectErased` (every later
  decision about the person is `erased`);
- matching: `DataShared` (who received which of a person's data when, for the
  person's own page), `MatchScored` (a use: the CV scored against a vacancy);
- notifications: `NotificationSent` (a use: a message sent), [E] #18.

The runner calls these inside the transaction that stores its offsets, so
each event is applied exactly once; `project` is idempotent besides.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from ac_consent.views import project
from ac_consent_rules.rules import Fact
from ac_events.catalogue import (
    ClientOrganizationRegistered,
    DataShared,
    MatchScored,
    NotificationSent,
    SubjectErased,
)
from ac_events.consumer import Handler
from ac_events.envelope import Envelope

GROUP = "consent"
SOURCES = ("identity", "matching", "notifications")
"""The services whose topics the consent service consumes."""


async def apply(conn: asyncpg.Connection, env: Envelope[Any]) -> None:
    await project(conn, env.subject_id, Fact(env.event_id, env.occurred_at, env.payload))


HANDLERS: dict[str, Handler] = {
    t.type: apply
    for t in (ClientOrganizationRegistered, SubjectErased, DataShared, MatchScored,
              NotificationSent)
}  # fmt: skip
