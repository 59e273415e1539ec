"""Identity reads its own topic back: the erasure list that a restore cannot undo.

Wrapped data keys, accounts and profiles live in identity's database, whose backups are
kept for weeks; a restore would bring back everyone erased since the backup (issue 14,
item 8). The topic `identity.events` is kept forever and holds every erasure. Identity
consumes it like any other group, its offsets stored in its own database (the consumer's
checkpoints): a restore rewinds them to the moment of the backup, so every
`ErasureRequested` and `SubjectErased` published since is read again and carried out again
(the account, profile and tokens deleted; the key destroyed; the erasure recorded). In
normal running each is already done, and handling it changes nothing. Nothing is
published from here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg

from ac_events.catalogue import ErasureRequested, SubjectErased
from ac_events.consumer import Handler
from ac_events.envelope import Envelope
from ac_events.keyring import Keyring
from ac_identity import store

GROUP = "identity"
SOURCES = ("identity",)


def make_handlers(keyring: Keyring, grace: timedelta) -> dict[str, Handler]:
    async def requested(conn: asyncpg.Connection, env: Envelope[ErasureRequested]) -> None:
        """The account ends (again, after a restore); the key goes when the grace passes."""
        subject = env.subject_id
        if subject is None or await store.erased(conn, subject):
            return
        await store.delete_account(conn, subject)
        await store.request_erasure(conn, subject, env.occurred_at, env.occurred_at + grace)

    async def erased(conn: asyncpg.Connection, env: Envelope[SubjectErased]) -> None:
        subject = env.subject_id
        if subject is None:
            return
        await keyring.destroy(subject)  # idempotent; after a restore, the key is back
        await store.delete_account(conn, subject)
        requested_at = await store.erasure_requested_at(conn, subject)
        await store.record_erasure(conn, subject, requested_at or env.occurred_at, env.occurred_at)
        await store.finish_erasure_request(conn, subject)

    table: list[tuple[type[Any], Any]] = [(ErasureRequested, requested), (SubjectErased, erased)]
    return {event.type: handler for event, handler in table}
