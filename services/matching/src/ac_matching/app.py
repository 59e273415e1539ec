"""The matching service: app factory and wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ac_events.codec import Codec
from ac_events.migrator import source
from ac_events.store import EventStore
from ac_matching import api, api_applications
from ac_matching.commands import Provisions
from ac_matching.commands_applications import Steps
from ac_matching.commands_vacancies import Vacancies
from ac_matching.deps import MatchingDeps
from ac_matching.handlers import GROUP, SOURCES, make_handlers
from ac_matching.live import LiveIndex
from ac_matching.recipients import BATCH, Recipients
from ac_matching.retention import remove_provision_records
from ac_matching.settings import MatchingSettings
from ac_matching.views import Matcher
from ac_platform.clock import Clock, utc_now
from ac_platform.erasures import erasure_listener
from ac_platform.peers import keyring, open_peers
from ac_platform.resources import Resources
from ac_platform.service import Wired, Wiring, create_service_app
from ac_platform.workers import Periodic, Worker, consumer, outbox_relay


class IndexWorker(Periodic):
    """Loads the ranking index, then keeps it current; ready once loaded."""

    def __init__(self, index: LiveIndex, every_s: float) -> None:
        super().__init__("ranking-index", index.refresh, every_s)
        self.index = index

    def ready(self) -> bool:
        return self.index.loaded


def wiring(settings: MatchingSettings, clock: Clock) -> Wiring:
    @asynccontextmanager
    async def wire(res: Resources) -> AsyncIterator[Wired[MatchingDeps]]:
        keys = keyring(settings)
        codec = Codec(keys)
        events = EventStore(res.db, codec, "matching")
        index = LiveIndex(res.db, keys)
        async with open_peers(settings) as peers:
            candidate_key = settings.candidate_key.get_secret_value().encode()
            vacancies = Vacancies(events, clock, settings.vacancies_per_hour)
            matcher = Matcher(
                events,
                keys,
                peers.consent,
                index,
                candidate_key,
                candidate_depth=settings.candidate_depth,
                candidate_pages_per_hour=settings.candidate_pages_per_hour,
                clock=clock,
            )
            deps = MatchingDeps(
                settings,
                events,
                keys,
                Provisions(events, keys, peers.consent, clock),
                matcher,
                vacancies,
                Steps(events, keys, clock),
            )
            recipients = Recipients(deps.provisions)

            async def tell() -> None:
                while await recipients.tell_due() == BATCH:
                    pass  # a full batch: more may be waiting

            async def retention() -> None:
                await remove_provision_records(events, clock())

            workers: list[Worker] = [
                await outbox_relay(res, events),
                await consumer(res, GROUP, SOURCES, make_handlers(keys, events), codec),
                IndexWorker(index, settings.index_refresh_s),
                Periodic("deadlines", vacancies.close_due, settings.deadline_check_s),
                Periodic("scores", matcher.record_scores, settings.record_scores_s),
                Periodic("recipients", tell, settings.notices_every_s),
                Periodic("retention", retention, settings.retention_every_s),
                await erasure_listener(res, keys),
            ]
            yield Wired(deps, workers)

    return wire


def create_app(settings: MatchingSettings | None = None, clock: Clock = utc_now) -> FastAPI:
    """`clock` is when matching thinks it is (tests move it past a vacancy's deadline, or a
    provision record past its retention period)."""
    settings = settings or MatchingSettings()
    return create_service_app(
        settings,
        title="Active Connector matching",
        description="Vacancies and internships, search, matching, applications and their "
        "states, and the record of every provision to a third party.",
        routers=[api.router, api_applications.router],
        migrations=[source("ac_matching")],
        wiring=wiring(settings, clock),
    )
