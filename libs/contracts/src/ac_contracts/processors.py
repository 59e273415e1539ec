"""The register of processors [B] #17: the desk's routes (staff register, revise and retire;
auditors read the register; anyone reads its categories and countries), and what the
platform's own components declare they send to which processor (`SENDS`).

A component that sends personal data out of the platform (an SMTP relay, a hosting or an
analytics API) declares it here; the module that sends reads its declaration at import
(`declared`), and `tests/unit/test_processors.py` fails on any module that uses an outbound
library without one. The audit's `processors_registered` rule checks that each declared
processor is in the register, covering the declared categories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from pydantic import BaseModel, Field

from ac_contracts.common import OrgId
from ac_events.catalogue.vocab import DataCategory, Purpose, Region


@dataclass(frozen=True, slots=True)
class Sends:
    """A component of ours that sends personal data to a processor."""

    component: str
    """The service (`ac_contracts.services`)."""
    module: str
    """The module that sends (`ac_notifications.delivery`)."""
    system: str
    """Our system it goes through (`smtp-relay`)."""
    processor: str
    """The processor's id in the register."""
    data_categories: tuple[DataCategory, ...]


SENDS: Final[tuple[Sends, ...]] = (
    Sends(component="notifications", module="ac_notifications.delivery", system="smtp-relay",
          processor="smtp-relay", data_categories=(DataCategory.NAME, DataCategory.CONTACT)),
)  # fmt: skip
"""Every component of ours that sends personal data to a processor."""

OUTBOUND: Final = ("aiosmtplib", "smtplib", "boto3", "botocore", "google.cloud", "requests",
                   "urllib.request", "sentry_sdk", "segment", "mixpanel")  # fmt: skip
"""Libraries that send data out of the platform: a module importing one must be declared."""


class UndeclaredProcessor(RuntimeError):
    """A module sends to a processor without its declaration in `SENDS`."""


def declared(module: str, sends: tuple[Sends, ...] = SENDS) -> Sends:
    """The declaration of `module` (call it at import: no declaration, no sending)."""
    for s in sends:
        if s.module == module:
            return s
    raise UndeclaredProcessor(f"{module} sends personal data out: declare it in SENDS")


class ProcessorBody(BaseModel):
    processor_id: OrgId
    legal_name: str = Field(min_length=1, max_length=200)
    country: Region
    data_categories: list[DataCategory] = Field(min_length=1)
    purposes: list[Purpose] = Field(min_length=1)
    contract_reference: str = Field(min_length=1, max_length=200)
    contract_from: date
    contract_until: date | None = None
    safeguards: str = Field(default="", max_length=2000)
    """Outside Japan: the basis of equivalent measures (APPI art. 28)."""
    country_notice_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    systems: list[str] = Field(default_factory=list, max_length=20)


class RevisionBody(BaseModel):
    """The processor's terms as they now are (the whole record; its id is in the path)."""

    legal_name: str = Field(min_length=1, max_length=200)
    country: Region
    data_categories: list[DataCategory] = Field(min_length=1)
    purposes: list[Purpose] = Field(min_length=1)
    contract_reference: str = Field(min_length=1, max_length=200)
    contract_from: date
    contract_until: date | None = None
    safeguards: str = Field(default="", max_length=2000)
    country_notice_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    systems: list[str] = Field(default_factory=list, max_length=20)


class RetirementBody(BaseModel):
    reason: str = Field(default="", max_length=2000)


class ProcessorOut(ProcessorBody):
    status: str
    """`active` or `retired`."""
    registered_at: datetime
    revised_at: datetime | None = None
    retired_at: datetime | None = None


class PublicProcessor(BaseModel):
    """What anyone may read of the register: who handles which data where, and why."""

    legal_name: str
    country: str
    data_categories: list[DataCategory]
    purposes: list[Purpose]
