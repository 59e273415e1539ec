"""The desk: app factory and wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ac_desk import api, api_staff
from ac_desk.commands import Desk
from ac_desk.deps import DeskDeps
from ac_desk.handlers import GROUP, SOURCES, make_handlers
from ac_desk.jobs import BATCH, deadlines, remove_guests
from ac_desk.peers import Consents, Identity
from ac_desk.settings import DeskSettings
from ac_events.codec import Codec
from ac_events.migrator import source
from ac_events.store import EventStore
from ac_platform.clock import Clock, utc_now
from ac_platform.peers import keyring, open_peers
from ac_platform.resources import Resources
from ac_platform.service import Wired, Wiring, create_service_app
from ac_platform.workers import Periodic, Worker, consumer, outbox_relay


def wiring(settings: DeskSettings, clock: Clock) -> Wiring:
    @asynccontextmanager
    async def wire(res: Resources) -> AsyncIterator[Wired[DeskDeps]]:
        keys = keyring(settings)
        codec = Codec(keys)
        events = EventStore(res.db, codec, "desk")
        async with open_peers(settings) as peers:
            identity = Identity(peers.identity, peers.identity_token)
            consents = Consents(peers.consent_http, peers.service_token)
            desk = Desk(settings, events, identity, consents, keys, clock)

            async def retention() -> None:
                while await remove_guests(desk) == BATCH:
                    pass  # a full batch: more may be due

            workers: list[Worker] = [
                await outbox_relay(res, events),
                await consumer(res, GROUP, SOURCES, make_handlers(desk), codec),
                Periodic("deadlines", lambda: deadlines(desk), settings.deadline_every_s),
                Periodic("retention", retention, settings.retention_every_s),
            ]
            yield Wired(DeskDeps(settings, desk, keys), workers)

    return wire


def create_app(settings: DeskSettings | None = None, clock: Clock = utc_now) -> FastAPI:
    """`clock` is the desk's time: due dates, codes, warnings, escalations, retention (tests
    move it past a due date instead of waiting)."""
    settings = settings or DeskSettings()
    return create_service_app(
        settings,
        title="Active Connector desk",
        description="The window for a person's requests (disclosure, correction, cessation, "
        "erasure), complaints and enquiries: identity verification, deadlines, the staff queue.",
        routers=[api.router, api_staff.router],
        migrations=[source("ac_desk")],
        wiring=wiring(settings, clock),
    )
