"""What the notifications service's routes need, built once by `app.wiring`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends

from ac_events.store import EventStore
from ac_notifications.settings import NotificationsSettings
from ac_platform.peers import Peers
from ac_platform.service import provide


@dataclass(frozen=True)
class NotificationsDeps:
    settings: NotificationsSettings
    events: EventStore
    peers: Peers

    @property
    def db(self) -> asyncpg.Pool:
        return self.events.pool


Deps = Annotated[NotificationsDeps, Depends(provide(NotificationsDeps))]
