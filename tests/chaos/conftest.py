"""The chaos suite's platform: its own PostgreSQL and Kafka, `run.py` on them, the load.

`AC_CHAOS=full` (what `make chaos` sets) runs every fault; otherwise the short form that
`make test` runs: a consent kill, a broker restart and a PostgreSQL restart.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.chaos.alerts import check_rules
from tests.chaos.infra import OwnInfra
from tests.chaos.load import Load, Op
from tests.chaos.platform import ChaosPlatform
from tests.chaos.runner import Result, result_line
from tests.chaos.scrape import Scraper
from tests.chaos.world import CLIENT, World, accounts

FULL = os.environ.get("AC_CHAOS") == "full"
KAFKA_DISK_MB = 256
"""Kafka's log directory in the full form: a file system of this size, to be filled."""
RESULTS: list[Result] = []
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    infra = OwnInfra(small_disk_mb=KAFKA_DISK_MB if FULL else 0)
    platform = ChaosPlatform(infra, tmp_path_factory.mktemp("chaos"))
    load: Load | None = None
    scraper = Scraper(platform)
    try:
        if FULL:  # the rules the run will show firing are valid PromQL, first of all
            assert "SUCCESS" in check_rules(platform.work / "rules")
        await asyncio.to_thread(infra.up)
        await asyncio.to_thread(platform.start)
        staff, client, auditor, vacancies = await accounts(platform)
        load = Load(platform.gateway, vacancies, client, CLIENT)
        load.ledger.ops += [
            Op("vacancy", "setup", None, {"vacancy_id": v}, "ok") for v in vacancies
        ]
        scraper.start()
        yield World(infra, platform, load, scraper, auditor, staff)
    finally:
        await scraper.stop()
        if load is not None:
            await load.close()
        if RESULTS:
            lines = [r.line() for r in RESULTS] + [result_line(RESULTS)]
            print("\n" + "\n".join(lines))
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"chaos-{'full' if FULL else 'short'}.txt").write_text(
                "\n".join(lines) + "\n"
            )
        await asyncio.to_thread(platform.stop)
        await asyncio.to_thread(infra.down)
