"""The resumes service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_events.codec import Codec
from ac_events.migrator import source
from ac_platform.peers import keyring, peers
from ac_platform.service import Resources, create_service_app
from ac_platform.workers import consumer, event_store, outbox_relay
from ac_resumes.api import router
from ac_resumes.handlers import GROUP, HANDLERS, SOURCES
from ac_resumes.settings import ResumesSettings


def create_app(settings: ResumesSettings | None = None) -> FastAPI:
    settings = settings or ResumesSettings()
    keys = keyring(settings)
    codec = Codec(keys)

    async def open_keyring(res: Resources) -> None:
        res.extras["keyring"] = keys

    open_peers, close_peers = peers(settings)
    relay_start, relay_stop = outbox_relay("resumes")
    consumer_start, consumer_stop = consumer(GROUP, SOURCES, HANDLERS, codec)
    return create_service_app(
        settings,
        title="Active Connector resumes",
        description="CVs and application forms, and the sensitive-data guard.",
        routers=[router],
        migrations=[source("ac_resumes")],
        database=True,
        kafka=True,
        on_start=[
            open_keyring,
            open_peers,
            event_store("resumes", codec),
            relay_start,
            consumer_start,
        ],
        on_stop=[close_peers, relay_stop, consumer_stop],
    )
