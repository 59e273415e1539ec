"""The notifications service: app factory and wiring only."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from ac_events.auth import ServiceToken
from ac_events.codec import Codec
from ac_events.keyring import CachedKeyring, HttpKeyring
from ac_events.migrator import source
from ac_events.service import Resources, create_service_app
from ac_events.workers import consumer, event_store, outbox_relay, periodic
from ac_notifications.api import router
from ac_notifications.delivery import Sender
from ac_notifications.handlers import GROUP, SOURCES, make_handlers
from ac_notifications.settings import NotificationsSettings


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    secret = settings.client_secret.get_secret_value()
    keyring = CachedKeyring(HttpKeyring(settings.identity_url, settings.client_id, secret))
    codec = Codec(keyring)

    async def open_clients(res: Resources) -> None:
        identity = httpx.AsyncClient(base_url=settings.identity_url, timeout=10)
        consent = httpx.AsyncClient(base_url=settings.consent_url, timeout=10)
        token = ServiceToken(identity, settings.client_id, secret)
        res.extras.update(identity=identity, consent=consent, service_token=token)

    async def close_clients(res: Resources) -> None:
        for name in ("identity", "consent"):
            client = res.extras.get(name)
            if isinstance(client, httpx.AsyncClient):
                await client.aclose()

    async def open_sender(res: Resources) -> None:
        res.extras["sender"] = Sender(
            settings,
            res.extras["store"],  # type: ignore[arg-type]
            keyring,
            res.extras["consent"],  # type: ignore[arg-type]
            res.extras["service_token"],  # type: ignore[arg-type]
        )

    async def send(res: Resources) -> None:
        sender: Sender = res.extras["sender"]  # type: ignore[assignment]
        while await sender.send_due() == settings.send_batch:
            pass  # a full batch: more may be due

    relay_start, relay_stop = outbox_relay("notifications")
    consumer_start, consumer_stop = consumer(GROUP, SOURCES, make_handlers(keyring), codec)
    sender_start, sender_stop = periodic("sender", send, settings.send_every_s)
    return create_service_app(
        settings,
        title="Active Connector notifications",
        description="Every message the privacy policy promises, delivered once.",
        routers=[router],
        migrations=[source("ac_notifications")],
        database=True,
        kafka=True,
        on_start=[
            open_clients,
            event_store("notifications", codec),
            open_sender,
            relay_start,
            consumer_start,
            sender_start,
        ],
        on_stop=[close_clients, relay_stop, consumer_stop, sender_stop],
    )
