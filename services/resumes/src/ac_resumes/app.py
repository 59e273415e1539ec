"""The resumes service: app factory and wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ac_events.codec import Codec
from ac_events.migrator import source
from ac_events.store import EventStore
from ac_platform.erasures import erasure_listener
from ac_platform.peers import keyring, open_peers
from ac_platform.resources import Resources
from ac_platform.service import Wired, Wiring, create_service_app
from ac_platform.workers import Worker, consumer, outbox_relay
from ac_resumes.api import router
from ac_resumes.deps import ResumesDeps
from ac_resumes.handlers import GROUP, HANDLERS, SOURCES
from ac_resumes.settings import ResumesSettings


def wiring(settings: ResumesSettings) -> Wiring:
    @asynccontextmanager
    async def wire(res: Resources) -> AsyncIterator[Wired[ResumesDeps]]:
        keys = keyring(settings)
        codec = Codec(keys)
        events = EventStore(res.db, codec, "resumes")
        async with open_peers(settings) as peers:
            workers: list[Worker] = [
                await outbox_relay(res, events),
                await consumer(res, GROUP, SOURCES, HANDLERS, codec),
                await erasure_listener(res, keys),
            ]
            yield Wired(ResumesDeps(settings, events, keys, peers), workers)

    return wire


def create_app(settings: ResumesSettings | None = None) -> FastAPI:
    settings = settings or ResumesSettings()
    return create_service_app(
        settings,
        title="Active Connector resumes",
        description="CVs and application forms, and the sensitive-data guard.",
        routers=[router],
        migrations=[source("ac_resumes")],
        wiring=wiring(settings),
    )
