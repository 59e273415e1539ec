"""What the desk's routes need, built once by `app.wiring`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends

from ac_desk.commands import Desk
from ac_desk.settings import DeskSettings
from ac_events.keyring import Keyring
from ac_platform.service import provide


@dataclass(frozen=True)
class DeskDeps:
    settings: DeskSettings
    desk: Desk
    keyring: Keyring

    @property
    def db(self) -> asyncpg.Pool:
        return self.desk.pool


Deps = Annotated[DeskDeps, Depends(provide(DeskDeps))]
