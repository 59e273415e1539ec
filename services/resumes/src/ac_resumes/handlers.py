"""Identity's erasure events -> the person's CV and declarations are removed here."""

from __future__ import annotations

import asyncpg

from ac_events.catalogue import ErasureRequested, SubjectErased
from ac_events.consumer import Handler
from ac_events.envelope import Envelope
from ac_resumes import store

GROUP = "resumes"
SOURCES = ("identity",)


async def _forget(
    conn: asyncpg.Connection, env: Envelope[ErasureRequested | SubjectErased]
) -> None:
    if env.subject_id:
        await store.forget(conn, env.subject_id)


HANDLERS: dict[str, Handler] = {
    ErasureRequested.type: _forget,
    SubjectErased.type: _forget,
}
