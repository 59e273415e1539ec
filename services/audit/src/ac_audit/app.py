"""The audit service: app factory and wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ac_audit.api import router
from ac_audit.deps import AuditDeps
from ac_audit.settings import AuditSettings
from ac_platform.peers import keyring
from ac_platform.resources import Resources
from ac_platform.service import Wired, Wiring, create_service_app


def wiring(settings: AuditSettings) -> Wiring:
    @asynccontextmanager
    async def wire(res: Resources) -> AsyncIterator[Wired[AuditDeps]]:
        yield Wired(AuditDeps(settings, keyring(settings)))

    return wire


def create_app(settings: AuditSettings | None = None) -> FastAPI:
    settings = settings or AuditSettings()
    return create_service_app(
        settings,
        title="Active Connector audit",
        description="Replays the log and checks that every disclosure was covered.",
        routers=[router],
        database=False,
        wiring=wiring(settings),
    )
