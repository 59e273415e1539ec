"""Identity's events -> the desk: a person erased has their open requests closed (nobody
left to answer, and nothing to escalate)."""

from __future__ import annotations

from typing import Any

import asyncpg

from ac_desk.commands import Desk
from ac_events.catalogue import SubjectErased
from ac_events.consumer import Handler
from ac_events.envelope import Envelope

GROUP = "desk"
SOURCES = ("identity",)


def make_handlers(desk: Desk) -> dict[str, Handler]:
    async def erased(conn: asyncpg.Connection, env: Envelope[Any]) -> None:
        if env.subject_id:
            await desk.close_erased(conn, env.subject_id)

    return {SubjectErased.type: erased}
