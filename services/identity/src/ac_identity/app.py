"""The identity service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_events.migrator import KEYRING, source
from ac_events.service import create_service_app
from ac_identity.settings import IdentitySettings


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    return create_service_app(
        settings,
        title="Active Connector identity",
        description="Accounts, client organisations, tokens, the keyring of per-person data keys, erasure.",
        migrations=[KEYRING, source("ac_identity")],
        database=True,
        kafka=True,
    )
