"""What the matching service's routes need, built once by `app.wiring`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends

from ac_events.keyring import Keyring
from ac_events.store import EventStore
from ac_matching.commands import Provisions
from ac_matching.commands_applications import Steps
from ac_matching.commands_vacancies import Vacancies
from ac_matching.settings import MatchingSettings
from ac_matching.views import Matcher
from ac_platform.service import provide


@dataclass(frozen=True)
class MatchingDeps:
    settings: MatchingSettings
    events: EventStore
    keyring: Keyring
    provisions: Provisions
    matcher: Matcher
    vacancies: Vacancies
    steps: Steps

    @property
    def db(self) -> asyncpg.Pool:
        return self.events.pool


Deps = Annotated[MatchingDeps, Depends(provide(MatchingDeps))]
