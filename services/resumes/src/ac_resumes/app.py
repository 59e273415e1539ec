"""The resumes service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_events.migrator import source
from ac_events.service import create_service_app
from ac_resumes.settings import ResumesSettings


def create_app(settings: ResumesSettings | None = None) -> FastAPI:
    settings = settings or ResumesSettings()
    return create_service_app(
        settings,
        title="Active Connector resumes",
        description="CVs and application forms, and the sensitive-data guard.",
        migrations=[source("ac_resumes")],
        database=True,
        kafka=True,
    )
