"""The notifications service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_events.migrator import source
from ac_events.service import create_service_app
from ac_notifications.settings import NotificationsSettings


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    return create_service_app(
        settings,
        title="Active Connector notifications",
        description="Every message the privacy policy promises, delivered once.",
        migrations=[source("ac_notifications")],
        database=True,
        kafka=True,
    )
