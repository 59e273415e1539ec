"""Identity's account events -> the messages a person is owed about their own account.

- `RegistrationAttempted`: someone tried to register the person's username (registration
  answers the same whether a name is free or taken: the owner is told here).

Like every handler, these run in the consumer's transaction; a message is queued once.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg

from ac_events.catalogue import NotificationKind, RegistrationAttempted
from ac_events.consumer import Handler
from ac_events.envelope import Envelope
from ac_events.keyring import Keyring
from ac_notifications.commands import queue


def account_handlers(keyring: Keyring) -> dict[str, Handler]:
    async def attempted(conn: asyncpg.Connection, env: Envelope[RegistrationAttempted]) -> None:
        if env.subject_id:
            params = {"at": env.occurred_at.date().isoformat()}
            await queue(
                conn, env.event_id, NotificationKind.REGISTRATION_ATTEMPT, env.subject_id, params
            )

    table: list[
        tuple[type[Any], Callable[[asyncpg.Connection, Any], Coroutine[Any, Any, None]]]
    ] = [
        (RegistrationAttempted, attempted),
    ]
    return {event.type: handler for event, handler in table}
