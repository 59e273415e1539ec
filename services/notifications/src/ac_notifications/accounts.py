"""Identity's account events -> the messages a person is owed about their own account.

- `RegistrationAttempted`: someone tried to register the person's username (registration
  answers the same whether a name is free or taken: the owner is told here);
- `PasswordResetRequested`: the link to set a new password (its token sealed here under the
  person's key, as the verification token is);
- `VerificationResent`: a new link to confirm the address.

Like every handler, these run in the consumer's transaction; a message is queued once.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg

from ac_events.catalogue import (
    NotificationKind,
    PasswordResetRequested,
    RegistrationAttempted,
    VerificationResent,
)
from ac_events.consumer import Handler
from ac_events.envelope import Envelope
from ac_events.keyring import Keyring
from ac_notifications.commands import queue
from ac_notifications.sealing import seal


def account_handlers(keyring: Keyring) -> dict[str, Handler]:
    async def attempted(conn: asyncpg.Connection, env: Envelope[RegistrationAttempted]) -> None:
        if env.subject_id:
            params = {"at": env.occurred_at.date().isoformat()}
            await queue(
                conn, env.event_id, NotificationKind.REGISTRATION_ATTEMPT, env.subject_id, params
            )

    async def sealed(subject: str, field: str, value: object) -> str | None:
        key = await keyring.key_for(subject)
        if not isinstance(key, bytes) or not isinstance(value, str):
            return None  # erased before we read it: nobody to write to
        return seal(key, subject, field, value)

    async def reset(conn: asyncpg.Connection, env: Envelope[PasswordResetRequested]) -> None:
        subject = env.subject_id
        token = await sealed(subject, "reset_token", env.payload.token) if subject else None
        if subject and token:
            await queue(conn, env.event_id, NotificationKind.PASSWORD_RESET, subject, {"token": token})  # fmt: skip

    async def resent(conn: asyncpg.Connection, env: Envelope[VerificationResent]) -> None:
        subject = env.subject_id
        value = env.payload.verification_token
        token = await sealed(subject, "verification_token", value) if subject else None
        if subject and token:
            await queue(conn, env.event_id, NotificationKind.EMAIL_VERIFICATION, subject, {"token": token})  # fmt: skip

    table: list[
        tuple[type[Any], Callable[[asyncpg.Connection, Any], Coroutine[Any, Any, None]]]
    ] = [
        (RegistrationAttempted, attempted),
        (PasswordResetRequested, reset),
        (VerificationResent, resent),
    ]
    return {event.type: handler for event, handler in table}
