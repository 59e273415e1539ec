"""What the resumes service's routes need, built once by `app.wiring`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends

from ac_events.keyring import Keyring
from ac_events.store import EventStore
from ac_platform.peers import Peers
from ac_platform.service import provide
from ac_resumes.settings import ResumesSettings


@dataclass(frozen=True)
class ResumesDeps:
    settings: ResumesSettings
    events: EventStore
    keyring: Keyring
    peers: Peers

    @property
    def db(self) -> asyncpg.Pool:
        return self.events.pool


Deps = Annotated[ResumesDeps, Depends(provide(ResumesDeps))]
