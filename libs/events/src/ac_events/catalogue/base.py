"""What every event is: a frozen pydantic model with a `type` name, an integer
`schema_version`, the service (topic) that produces it, and fields marked
personal where they hold personal data.

Personal fields are encrypted with the person's own data key by the codec
(never by a service) and read back as their value, or as an explicit
`Redacted` value: `ERASED` once the person's key is destroyed, `WITHHELD` for a
reader that holds no key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict


class PersonalData:
    """Marks a field as personal data: encrypted under the subject's key in the log."""

    def __repr__(self) -> str:
        return "PersonalData()"


PERSONAL = PersonalData()


class Redacted(BaseModel):
    """An explicit stand-in for a personal value that cannot be read."""

    model_config = ConfigDict(frozen=True)
    redacted: Literal["erased", "withheld"]


ERASED = Redacted(redacted="erased")
WITHHELD = Redacted(redacted="withheld")

T = TypeVar("T")
Personal = Annotated[T | Redacted, PERSONAL]
"""`Personal[str]`: a personal string, or `ERASED` / `WITHHELD` when unreadable."""


class Event(BaseModel):
    """Base of every event payload in the catalogue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    producer: ClassVar[str]
    """The service that owns the event; its topic is `<producer>.events`."""

    @classmethod
    def personal_fields(cls) -> frozenset[str]:
        """The names of the fields marked `Personal` (computed once per class)."""
        cached = _PERSONAL_FIELDS.get(cls)
        if cached is None:
            cached = frozenset(
                name
                for name, field in cls.model_fields.items()
                if any(isinstance(m, PersonalData) for m in field.metadata)
            )
            _PERSONAL_FIELDS[cls] = cached
        return cached


_PERSONAL_FIELDS: dict[type[Event], frozenset[str]] = {}


Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

EVENT_TYPES: dict[str, type[Event]] = {}
UPCASTERS: dict[tuple[str, int], Upcaster] = {}
"""(type, from_version) -> function turning a payload of that version into the next."""

E = TypeVar("E", bound=type[Event])


def register(cls: E) -> E:
    """Class decorator: add an event model to the catalogue."""
    if cls.type in EVENT_TYPES:
        raise ValueError(f"event type {cls.type!r} registered twice")
    EVENT_TYPES[cls.type] = cls
    return cls


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Decorator: register a function upgrading `event_type` payloads from `from_version`."""

    def add(fn: Upcaster) -> Upcaster:
        UPCASTERS[(event_type, from_version)] = fn
        return fn

    return add


class UnknownEventType(LookupError):
    pass


def upcast(event_type: str, version: int, payload: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored payload up to the current version of its model."""
    try:
        model = EVENT_TYPES[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None
    while version < model.schema_version:
        payload = UPCASTERS[(event_type, version)](payload)
        version += 1
    if version > model.schema_version:
        raise ValueError(
            f"{event_type} v{version} is newer than this code (v{model.schema_version})"
        )
    return payload
