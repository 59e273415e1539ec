"""The audit service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_audit.settings import AuditSettings
from ac_events.service import create_service_app


def create_app(settings: AuditSettings | None = None) -> FastAPI:
    settings = settings or AuditSettings()
    return create_service_app(
        settings,
        title="Active Connector audit",
        description="Replays the log and checks that every disclosure was covered.",
        database=False,
        kafka=True,
    )
