"""The matching service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_events.migrator import source
from ac_events.service import create_service_app
from ac_matching.settings import MatchingSettings


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    settings = settings or MatchingSettings()
    return create_service_app(
        settings,
        title="Active Connector matching",
        description="Vacancies, matching, applications, and the record of every provision to a third party.",
        migrations=[source("ac_matching")],
        database=True,
        kafka=True,
    )
