"""The notifications service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_events.codec import Codec
from ac_events.migrator import source
from ac_notifications.api import router
from ac_notifications.delivery import Sender
from ac_notifications.handlers import GROUP, SOURCES, make_handlers
from ac_notifications.settings import NotificationsSettings
from ac_platform.peers import keyring, peers
from ac_platform.service import Resources, create_service_app
from ac_platform.workers import consumer, event_store, outbox_relay, periodic


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    keys = keyring(settings)
    codec = Codec(keys)
    open_clients, close_clients = peers(settings)

    async def open_sender(res: Resources) -> None:
        res.extras["sender"] = Sender(
            settings,
            res.extras["store"],  # type: ignore[arg-type]
            keys,
            res.extras["consent"],  # type: ignore[arg-type]
        )

    async def send(res: Resources) -> None:
        sender: Sender = res.extras["sender"]  # type: ignore[assignment]
        while await sender.send_due() == settings.send_batch:
            pass  # a full batch: more may be due

    relay_start, relay_stop = outbox_relay("notifications")
    consumer_start, consumer_stop = consumer(GROUP, SOURCES, make_handlers(keys), codec)
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
