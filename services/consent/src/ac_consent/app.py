"""The consent service: app factory and wiring only."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI

from ac_consent.api import router
from ac_consent.bootstrap import publish_shipped_policy
from ac_consent.handlers import GROUP, HANDLERS, SOURCES
from ac_consent.settings import ConsentSettings
from ac_consent.views import Decider, PolicyCache
from ac_events.codec import Codec
from ac_events.keyring import NoKeys
from ac_events.migrator import source
from ac_events.store import EventStore
from ac_platform.service import Resources, create_service_app
from ac_platform.workers import consumer, event_store, outbox_relay


async def _no_session_state(conn: asyncpg.Connection) -> None:
    """Decisions leave nothing in a session (single statements, read-only transactions that
    always end; asyncpg still ends any open one): skip the default reset's round trip."""


async def _decisions(res: Resources) -> None:
    cache = PolicyCache()
    pool = await asyncpg.create_pool(
        res.settings.database_url, min_size=2, max_size=8, reset=_no_session_state
    )
    res.extras.update(policies=cache, decisions=pool, decider=Decider(pool, cache))


async def _shipped_policy(res: Resources) -> None:
    settings: ConsentSettings = res.settings  # type: ignore[assignment]
    if settings.publish_shipped_policy:
        store: EventStore = res.extras["store"]  # type: ignore[assignment]
        await publish_shipped_policy(store)


async def _close_decisions(res: Resources) -> None:
    pool = res.extras.get("decisions")
    if isinstance(pool, asyncpg.Pool):
        await pool.close()


def create_app(settings: ConsentSettings | None = None) -> FastAPI:
    settings = settings or ConsentSettings()
    codec = Codec(NoKeys())  # consent facts are pseudonymous: no data keys here
    relay_start, relay_stop = outbox_relay("consent")
    consumer_start, consumer_stop = consumer(GROUP, SOURCES, HANDLERS, codec)
    return create_service_app(
        settings,
        title="Active Connector consent",
        description="Consents, policy versions, transfer objections, and fast decisions on what may flow where.",
        routers=[router],
        migrations=[source("ac_consent")],
        database=True,
        kafka=True,
        on_start=[
            event_store("consent", codec),
            _shipped_policy,
            _decisions,
            relay_start,
            consumer_start,
        ],
        on_stop=[_close_decisions, relay_stop, consumer_stop],
    )
