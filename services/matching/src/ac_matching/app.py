"""The matching service: app factory and wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ac_events.codec import Codec
from ac_events.migrator import source
from ac_events.store import EventStore
from ac_matching.api import router
from ac_matching.commands import Provisions
from ac_matching.deps import MatchingDeps
from ac_matching.handlers import GROUP, SOURCES, make_handlers
from ac_matching.settings import MatchingSettings
from ac_matching.views import Matcher
from ac_platform.erasures import erasure_listener
from ac_platform.peers import keyring, open_peers
from ac_platform.resources import Resources
from ac_platform.service import Wired, Wiring, create_service_app
from ac_platform.workers import Worker, consumer, outbox_relay


def wiring(settings: MatchingSettings) -> Wiring:
    @asynccontextmanager
    async def wire(res: Resources) -> AsyncIterator[Wired[MatchingDeps]]:
        keys = keyring(settings)
        codec = Codec(keys)
        events = EventStore(res.db, codec, "matching")
        async with open_peers(settings) as peers:
            candidate_key = settings.candidate_key.get_secret_value().encode()
            deps = MatchingDeps(
                settings,
                events,
                keys,
                Provisions(events, keys, peers.consent),
                Matcher(events, keys, peers.consent, candidate_key, settings.top_n),
            )
            workers: list[Worker] = [
                await outbox_relay(res, events),
                await consumer(res, GROUP, SOURCES, make_handlers(keys), codec),
                await erasure_listener(res, keys),
            ]
            yield Wired(deps, workers)

    return wire


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    settings = settings or MatchingSettings()
    return create_service_app(
        settings,
        title="Active Connector matching",
        description="Vacancies, matching, applications, and the record of every provision "
        "to a third party.",
        routers=[router],
        migrations=[source("ac_matching")],
        wiring=wiring(settings),
    )
