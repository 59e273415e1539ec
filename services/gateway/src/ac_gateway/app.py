"""The gateway service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_events.service import create_service_app
from ac_gateway.settings import GatewaySettings


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    return create_service_app(
        settings,
        title="Active Connector gateway",
        description="The one public API: authenticates, authorises and routes to the services.",
        database=False,
        kafka=False,
    )
