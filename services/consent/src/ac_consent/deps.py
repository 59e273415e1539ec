"""What the consent service's routes need, built once by `app.wiring`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends

from ac_consent.decisions import Decider
from ac_consent.settings import ConsentSettings
from ac_events.store import EventStore
from ac_platform.clock import Clock, utc_now
from ac_platform.service import provide


@dataclass(frozen=True)
class ConsentDeps:
    settings: ConsentSettings
    store: EventStore
    decider: Decider
    clock: Clock = utc_now

    @property
    def db(self) -> asyncpg.Pool:
        return self.store.pool


Deps = Annotated[ConsentDeps, Depends(provide(ConsentDeps))]
