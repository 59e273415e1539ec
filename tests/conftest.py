"""Shared fixtures: real PostgreSQL and Kafka (see tests.support.infra)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.infra import (
    Infra,
    create_database,
    drop_database,
    infrastructure,
    session_prefix,
    unique_prefix,
)
from tests.support.kafka import delete_topics


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with infrastructure() as found:
        logging.getLogger("tests").info("infrastructure from %s", found.source)
        yield found


@pytest.fixture(scope="session", autouse=True)
async def _leave_the_broker_clean(infra: Infra) -> AsyncIterator[None]:
    """Every topic this session made (they all start with `session_prefix()`) is deleted at
    its end, so `make test` leaves the broker `make run` shares as it found it."""
    yield
    await delete_topics(infra.kafka_bootstrap_servers, session_prefix())


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
