"""The notifications service: app factory and wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ac_events.codec import Codec
from ac_events.migrator import source
from ac_events.store import EventStore
from ac_notifications.api import router
from ac_notifications.delivery import Sender
from ac_notifications.deps import NotificationsDeps
from ac_notifications.handlers import GROUP, SOURCES, make_handlers
from ac_notifications.retention import remove_bodies
from ac_notifications.settings import NotificationsSettings
from ac_platform.clock import Clock, utc_now
from ac_platform.erasures import erasure_listener
from ac_platform.peers import keyring, open_peers
from ac_platform.resources import Resources
from ac_platform.service import Wired, Wiring, create_service_app
from ac_platform.workers import Periodic, Worker, consumer, outbox_relay


def wiring(settings: NotificationsSettings, clock: Clock) -> Wiring:
    @asynccontextmanager
    async def wire(res: Resources) -> AsyncIterator[Wired[NotificationsDeps]]:
        keys = keyring(settings)
        codec = Codec(keys)
        events = EventStore(res.db, codec, "notifications")
        async with open_peers(settings) as peers:
            sender = Sender(settings, events, keys, peers.consent, clock)

            async def send() -> None:
                while await sender.send_due() == settings.send_batch:
                    pass  # a full batch: more may be due

            async def retention() -> None:
                await remove_bodies(events, clock())

            workers: list[Worker] = [
                await outbox_relay(res, events),
                await consumer(res, GROUP, SOURCES, make_handlers(keys), codec),
                Periodic(
                    "sender",
                    send,
                    settings.send_every_s,
                    gauges=lambda: {
                        "ac_notifications_oldest_due_seconds": (
                            "How long the oldest message not delivered yet has waited",
                            sender.waited_s(),
                        )
                    },
                ),
                Periodic("retention", retention, settings.retention_every_s),
                await erasure_listener(res, keys),
            ]
            yield Wired(NotificationsDeps(settings, events, peers), workers)

    return wire


def create_app(settings: NotificationsSettings | None = None, clock: Clock = utc_now) -> FastAPI:
    """`clock` is when the sender and the retention job think it is (tests drive it to skip
    back-off waits and to reach a retention period)."""
    settings = settings or NotificationsSettings()
    return create_service_app(
        settings,
        title="Active Connector notifications",
        description="Every message the privacy policy promises, delivered once.",
        routers=[router],
        migrations=[source("ac_notifications")],
        wiring=wiring(settings, clock),
    )
