"""The identity service: app factory and wiring only."""

from __future__ import annotations

from fastapi import FastAPI

from ac_events.codec import Codec
from ac_events.keyring import CachedKeyring, PostgresKeyring
from ac_events.migrator import KEYRING, source
from ac_events.store import EventStore
from ac_identity.accounts import Accounts
from ac_identity.api import router
from ac_identity.settings import IdentitySettings
from ac_identity.tokens import load_signer, load_username_index_key
from ac_platform.auth import TokenVerifier
from ac_platform.service import Resources, create_service_app
from ac_platform.workers import outbox_relay, periodic


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()

    async def open_accounts(res: Resources) -> None:
        master, previous = settings.master_key_bytes(), settings.previous_master_key_bytes()
        keyring = CachedKeyring(PostgresKeyring(res.db, master, previous=previous))
        events = EventStore(res.db, Codec(keyring), "identity")
        signer = await load_signer(res.db, master, previous)
        index = await load_username_index_key(
            res.db, master, previous, settings.initial_username_index_key()
        )
        accounts = Accounts(settings, events, keyring, signer, index)
        res.extras.update(keyring=keyring, store=events, accounts=accounts)
        # Identity verifies its own tokens with its own keys (no JWKS round trip).
        app.state.token_verifier = TokenVerifier(jwks=signer.jwks())

    async def erase_due(res: Resources) -> None:
        accounts: Accounts = res.extras["accounts"]  # type: ignore[assignment]
        await accounts.erase_due()

    relay_start, relay_stop = outbox_relay("identity")
    eraser_start, eraser_stop = periodic(
        "eraser", erase_due, max(0.2, min(5.0, settings.erasure_grace_s / 4))
    )
    app = create_service_app(
        settings,
        title="Active Connector identity",
        description="Accounts, client organisations, tokens, the keyring of per-person data keys, erasure.",
        routers=[router],
        migrations=[KEYRING, source("ac_identity")],
        database=True,
        kafka=True,
        on_start=[open_accounts, relay_start, eraser_start],
        on_stop=[eraser_stop, relay_stop],
    )
    return app
