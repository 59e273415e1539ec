"""Events of the register of processors [B] #17 (APPI art. 27(5)(i): entrustment; art. 28 for
one outside Japan): one stream per processor (`desk-processor-<id>`), kept by the desk.

Nothing personal: a processor is a company, its contract and what we entrust to it.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field, model_validator

from ac_events.catalogue.base import Event, register
from ac_events.catalogue.vocab import JAPAN, DataCategory, Purpose, Recipient, Region


class ProcessorTerms(Event):
    """What the register says of a processor (registered, then revised as a whole)."""

    processor_id: Recipient
    legal_name: str = Field(min_length=1, max_length=200)
    country: Region
    data_categories: tuple[DataCategory, ...] = Field(min_length=1)
    """The categories entrusted to it."""
    purposes: tuple[Purpose, ...] = Field(min_length=1)
    contract_reference: str = Field(min_length=1, max_length=200)
    contract_from: date
    contract_until: date | None = None
    safeguards: str = Field(default="", max_length=2000)
    """For a country outside Japan: the basis of equivalent measures (APPI art. 28)."""
    country_notice_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """For a country outside Japan: the country notice published about it."""
    systems: tuple[str, ...] = ()
    """Which systems of ours send it data (`smtp-relay`, `hosting`, `analytics`)."""

    @model_validator(mode="after")
    def _abroad(self) -> ProcessorTerms:
        if self.country != JAPAN and not self.safeguards:
            raise ValueError("a processor outside Japan needs its equivalent-measures basis")
        return self


@register
class ProcessorRegistered(ProcessorTerms):
    type: ClassVar[str] = "ProcessorRegistered"
    producer: ClassVar[str] = "desk"

    registered_by: str


@register
class ProcessorRevised(ProcessorTerms):
    type: ClassVar[str] = "ProcessorRevised"
    producer: ClassVar[str] = "desk"

    revised_by: str


@register
class ProcessorRetired(Event):
    """The entrustment ended: nothing more is sent to it."""

    type: ClassVar[str] = "ProcessorRetired"
    producer: ClassVar[str] = "desk"

    processor_id: Recipient
    reason: str = Field(default="", max_length=2000)
    retired_by: str
