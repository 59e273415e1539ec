"""The matching service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_events.codec import Codec
from ac_events.migrator import source
from ac_events.store import EventStore
from ac_matching.api import router
from ac_matching.handlers import GROUP, SOURCES, make_handlers
from ac_matching.provisions import Provisions
from ac_matching.settings import MatchingSettings
from ac_matching.views import Matcher
from ac_platform.peers import ConsentClient, keyring, peers
from ac_platform.service import Resources, create_service_app
from ac_platform.workers import consumer, event_store, outbox_relay


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    settings = settings or MatchingSettings()
    keys = keyring(settings)
    codec = Codec(keys)

    async def open_matching(res: Resources) -> None:
        events: EventStore = res.extras["store"]  # type: ignore[assignment]
        consent: ConsentClient = res.extras["consent"]  # type: ignore[assignment]
        candidate_key = settings.candidate_key.get_secret_value().encode()
        res.extras["keyring"] = keys
        res.extras["provisions"] = Provisions(events, keys, consent)
        res.extras["matcher"] = Matcher(events, keys, consent, candidate_key, settings.top_n)

    open_peers, close_peers = peers(settings)
    relay_start, relay_stop = outbox_relay("matching")
    consumer_start, consumer_stop = consumer(GROUP, SOURCES, make_handlers(keys), codec)
    return create_service_app(
        settings,
        title="Active Connector matching",
        description="Vacancies, matching, applications, and the record of every provision "
        "to a third party.",
        routers=[router],
        migrations=[source("ac_matching")],
        database=True,
        kafka=True,
        on_start=[
            open_peers,
            event_store("matching", codec),
            open_matching,
            relay_start,
            consumer_start,
        ],
        on_stop=[close_peers, relay_stop, consumer_stop],
    )
