"""Shared fixtures: real PostgreSQL and Kafka (see ac_events.testing)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from ac_events.testing import Infra, create_database, drop_database, infrastructure, unique_prefix


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with infrastructure() as found:
        logging.getLogger("tests").info("infrastructure from %s", found.source)
        yield found


@pytest.fixture
async def database_url(infra: Infra) -> AsyncIterator[str]:
    """A fresh, empty database of the test's own, dropped afterwards."""
    url = await create_database(infra.database_url)
    yield url
    await drop_database(infra.database_url, url)


@pytest.fixture
def kafka_bootstrap(infra: Infra) -> str:
    return infra.kafka_bootstrap_servers


@pytest.fixture
def topic_prefix() -> str:
    return unique_prefix()
