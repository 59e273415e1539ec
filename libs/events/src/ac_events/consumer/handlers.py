"""What a consumer group's handlers are, and how their failures are told apart.

A service gives the runner a table of handlers, one per event type: a
`Handler` gets one event, a `BatchHandler` a run of consecutive events of
one type (for projections that need throughput). `on` and `on_batch` build
the table's entries so that mypy checks each handler against its event type.

A failing handler is not an infrastructure failure: `HandlerFailed` marks
the first (the record is retried alone, then dead-lettered), while
`is_connection_error` and `recoverable` name the second (the runner backs
off, rewinds to its stored offsets and retries, dead-lettering nothing).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg
from aiokafka.errors import KafkaError

from ac_events.catalogue.base import Event
from ac_events.envelope import Envelope

E = TypeVar("E", bound=Event)

Handler = Callable[[asyncpg.Connection, Envelope[Any]], Awaitable[None]]
"""Applies one event's effects on the given connection, inside the runner's transaction."""

BatchHandler = Callable[[asyncpg.Connection, Sequence[Envelope[Any]]], Awaitable[None]]
"""Applies a run of events of one type at once (projections that need throughput)."""


def on(
    event: type[E], handler: Callable[[asyncpg.Connection, Envelope[E]], Awaitable[None]]
) -> tuple[str, Handler]:
    """A handler table entry, checked by mypy: `dict([on(Granted, grant), ...])`."""
    return event.type, handler


def on_batch(
    event: type[E],
    handler: Callable[[asyncpg.Connection, Sequence[Envelope[E]]], Awaitable[None]],
) -> tuple[str, BatchHandler]:
    """A batch handler table entry, checked by mypy."""
    return event.type, handler


def is_connection_error(exc: BaseException) -> bool:
    """PostgreSQL or the network is away: worth waiting for, never a poison record."""
    return isinstance(
        exc,
        OSError
        | asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.exceptions.InternalClientError  # a session ended in the middle of a reply
        | asyncpg.exceptions.OperatorInterventionError
        | asyncpg.exceptions.InsufficientResourcesError,
    )


def recoverable(exc: BaseException) -> bool:
    """Errors after which the runner rewinds to its stored offsets and tries again."""
    return is_connection_error(exc) or isinstance(exc, KafkaError | asyncpg.PostgresError)


class HandlerFailed(Exception):
    """A handler raised: the record is retried alone, then dead-lettered."""

    def __init__(self, event_type: str, cause: Exception) -> None:
        super().__init__(f"handler of {event_type} failed: {type(cause).__name__}")
        self.cause = cause
