"""The consent service: app factory and wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI

from ac_consent import api, api_decisions, api_policy
from ac_consent.bootstrap import publish_shipped_policy, sync_texts
from ac_consent.decisions import Decider, PolicyCache
from ac_consent.deps import ConsentDeps
from ac_consent.handlers import GROUP, HANDLERS, SOURCES
from ac_consent.settings import ConsentSettings
from ac_events.codec import Codec
from ac_events.keyring import NoKeys
from ac_events.migrator import source
from ac_events.store import EventStore
from ac_platform.resources import Resources
from ac_platform.service import Wired, Wiring, create_service_app
from ac_platform.workers import Worker, consumer, outbox_relay

CODEC = Codec(NoKeys())
"""Consent facts are pseudonymous: no data keys here."""


async def _no_session_state(conn: asyncpg.Connection) -> None:
    """Decisions leave nothing in a session (single statements, read-only transactions that
    always end; asyncpg still ends any open one): skip the default reset's round trip."""


def wiring(settings: ConsentSettings) -> Wiring:
    @asynccontextmanager
    async def wire(res: Resources) -> AsyncIterator[Wired[ConsentDeps]]:
        store = EventStore(res.db, CODEC, "consent")
        if settings.publish_shipped_policy:
            await publish_shipped_policy(store)
        await sync_texts(store)
        decisions = await asyncpg.create_pool(
            settings.database_url, min_size=2, max_size=8, reset=_no_session_state
        )
        try:
            workers: list[Worker] = [
                await outbox_relay(res, store),
                await consumer(res, GROUP, SOURCES, HANDLERS, CODEC),
            ]
            deps = ConsentDeps(settings, store, Decider(decisions, PolicyCache()))
            yield Wired(deps, workers)
        finally:
            await decisions.close()

    return wire


def create_app(settings: ConsentSettings | None = None) -> FastAPI:
    settings = settings or ConsentSettings()
    return create_service_app(
        settings,
        title="Active Connector consent",
        description="Consents, policy versions, transfer objections, and fast decisions on "
        "what may flow where.",
        routers=[
            api_decisions.router,
            api.router,
            api_policy.router,
        ],  # decisions first: the hot path
        migrations=[source("ac_consent")],
        wiring=wiring(settings),
    )
