"""The identity service: app factory and wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from ac_events.codec import Codec
from ac_events.keyring import CachedKeyring, PostgresKeyring
from ac_events.migrator import KEYRING, source
from ac_events.store import EventStore
from ac_identity import account_api, internal
from ac_identity.api import router
from ac_identity.commands import Accounts
from ac_identity.control import AccountControl
from ac_identity.deps import IdentityDeps
from ac_identity.grants import Grants
from ac_identity.replay import GROUP, SOURCES, make_handlers
from ac_identity.retention import BATCH, prune_reset_links, remove_unverified
from ac_identity.settings import IdentitySettings
from ac_identity.tokens import load_signer, load_username_index_key
from ac_platform.auth import PERSON_AUDIENCE, TokenVerifier
from ac_platform.clock import Clock, utc_now
from ac_platform.resources import Resources
from ac_platform.service import Wired, Wiring, create_service_app
from ac_platform.workers import Periodic, Worker, consumer, outbox_relay


def wiring(settings: IdentitySettings, clock: Clock) -> Wiring:
    @asynccontextmanager
    async def wire(res: Resources) -> AsyncIterator[Wired[IdentityDeps]]:
        master, previous = settings.master_key_bytes(), settings.previous_master_key_bytes()
        keyring = CachedKeyring(PostgresKeyring(res.db, master, previous=previous))
        events = EventStore(res.db, Codec(keyring), "identity")
        signer = await load_signer(res.db, master, previous)
        index = await load_username_index_key(
            res.db, master, previous, settings.initial_username_index_key()
        )
        accounts = Accounts(settings, events, keyring, signer, index, clock)
        every = max(0.2, min(5.0, settings.erasure_grace_s / 4))
        grace = timedelta(seconds=settings.erasure_grace_s)

        async def retention() -> None:
            while await remove_unverified(accounts, clock()) == BATCH:
                pass  # a full batch: more may be due
            await prune_reset_links(accounts, clock())

        workers: list[Worker] = [
            await outbox_relay(res, events),
            Periodic("eraser", accounts.erase_due, every),
            await consumer(res, GROUP, SOURCES, make_handlers(keyring, grace), Codec(keyring)),
            Periodic("retention", retention, settings.retention_every_s),
        ]
        # Identity verifies tokens with its own keys (no JWKS round trip): those for itself,
        # and people's own (for the gateway) when the gateway exchanges one.
        persons = TokenVerifier(jwks=signer.jwks(), audience=PERSON_AUDIENCE)
        grants = Grants(settings, signer, res.db, persons)
        yield Wired(IdentityDeps(settings, accounts, keyring, signer, grants,
                                 AccountControl(accounts)), workers,
                    token_verifier=TokenVerifier(jwks=signer.jwks(), audience="identity"))  # fmt: skip

    return wire


def create_app(settings: IdentitySettings | None = None, clock: Clock = utc_now) -> FastAPI:
    """`clock` is the time of identity's rules and jobs (tests move it past a retention)."""
    settings = settings or IdentitySettings()
    return create_service_app(
        settings,
        title="Active Connector identity",
        description="Accounts, client organisations, tokens, the keyring of per-person data "
        "keys, erasure.",
        routers=[router, account_api.router, internal.router],
        migrations=[KEYRING, source("ac_identity")],
        wiring=wiring(settings, clock),
    )
