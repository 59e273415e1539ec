"""The consent service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_consent.settings import ConsentSettings
from ac_events.migrator import source
from ac_events.service import create_service_app


def create_app(settings: ConsentSettings | None = None) -> FastAPI:
    settings = settings or ConsentSettings()
    return create_service_app(
        settings,
        title="Active Connector consent",
        description="Consents, policy versions, transfer objections, and fast decisions on what may flow where.",
        migrations=[source("ac_consent")],
        database=True,
        kafka=True,
    )
