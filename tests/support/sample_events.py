"""Test-only events for the library's own tests (not part of the catalogue)."""

from __future__ import annotations

from typing import ClassVar

from ac_events.catalogue.base import EVENT_TYPES, Event, Personal, register


def _once(cls: type[Event]) -> type[Event]:
    return EVENT_TYPES.get(cls.type) or register(cls)


class SampleNoted(Event):
    """A fact with one personal field and one that is not."""

    type: ClassVar[str] = "SampleNoted"
    producer: ClassVar[str] = "tests"
    seq: int
    note: Personal[str]


_once(SampleNoted)
