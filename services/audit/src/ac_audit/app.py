"""The audit service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_audit.api import router
from ac_audit.settings import AuditSettings
from ac_platform.peers import keyring
from ac_platform.service import Resources, create_service_app


def create_app(settings: AuditSettings | None = None) -> FastAPI:
    settings = settings or AuditSettings()
    keys = keyring(settings)

    async def open_keyring(res: Resources) -> None:
        res.extras["keyring"] = keys

    return create_service_app(
        settings,
        title="Active Connector audit",
        description="Replays the log and checks that every disclosure was covered.",
        routers=[router],
        database=False,
        kafka=True,
        on_start=[open_keyring],
    )
