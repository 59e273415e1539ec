"""Events of the consent service: choices people make, and what staff publish (architecture.md §3)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ac_events.catalogue.base import Event, register, upcaster
from ac_events.catalogue.vocab import (
    JAPAN,
    DataCategory,
    Purpose,
    Recipient,
    Region,
    SensitiveCategory,
    Sha256,
)


class ViewPosition(BaseModel):
    """Where in the log a consent decision was made: the two streams it read, by version.

    A decision reads one person's consent stream and the policies stream on
    one snapshot. Their versions name exactly the events it saw, so replaying
    those two streams up to them rebuilds its inputs. (One global position
    cannot: an event of another stream with a lower position may commit later.)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    subject_version: int = Field(ge=0)
    policies_version: int = Field(ge=0)


@register
class ConsentGranted(Event):
    """A person allows their data of these categories to flow to a recipient, in a region."""

    type: ClassVar[str] = "ConsentGranted"
    schema_version: ClassVar[int] = 3
    producer: ClassVar[str] = "consent"

    consent_id: UUID
    purpose: Purpose
    recipient: Recipient
    region: Region
    data_categories: tuple[DataCategory, ...] = ()
    sensitive_categories: tuple[SensitiveCategory, ...] = ()
    """Special care-required categories this consent names (to acquire or to share them)."""
    policy_version: str = Field(min_length=1, max_length=40)
    policy_text_sha256: Sha256 | None = None
    """The SHA-256 of the policy text the person was shown: what that version's
    `PolicyPublished` names (None before v3)."""
    country_notice_sha256: Sha256 | None = None
    """The country notice the person was shown; required outside Japan (APPI art. 28)."""
    channel: str = Field(default="web", max_length=40)

    @model_validator(mode="after")
    def _notice_for_foreign_regions(self) -> ConsentGranted:
        if self.region != JAPAN and self.country_notice_sha256 is None:
            raise ValueError("a consent for a region outside JP records the country notice shown")
        if self.region == JAPAN and self.country_notice_sha256 is not None:
            raise ValueError("no country notice applies to JP")
        return self


@upcaster("ConsentGranted", 1)
def upcast_consent_granted_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v1 stored the region in lower case and could not name sensitive categories."""
    return {**payload, "region": str(payload["region"]).upper(), "sensitive_categories": []}


@upcaster("ConsentGranted", 2)
def upcast_consent_granted_v2_v3(payload: dict[str, Any]) -> dict[str, Any]:
    """v2 named the policy version only, not the SHA-256 of its text."""
    return {**payload, "policy_text_sha256": None}


@register
class ConsentWithdrawn(Event):
    """A consent ends; its scope is repeated so readers need not look it up."""

    type: ClassVar[str] = "ConsentWithdrawn"
    producer: ClassVar[str] = "consent"

    consent_id: UUID
    purpose: Purpose
    recipient: Recipient
    region: Region


class PurposeChange(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    purpose: Purpose
    changed: bool
    significant: bool
    """A significant change needs a new choice from everyone who consented before."""


def policy_text_sha256(texts: Mapping[str, str]) -> str:
    """The SHA-256 a policy's texts are known by: of `{"en": ..., "ja": ...}` as JSON with
    sorted keys (UTF-8), so one hash names both languages at once."""
    return hashlib.sha256(orjson.dumps(dict(texts), option=orjson.OPT_SORT_KEYS)).hexdigest()


class PolicyTexts(BaseModel):
    """A policy's full text, in Markdown, in both languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    ja: str = Field(min_length=1, max_length=200_000)
    en: str = Field(min_length=1, max_length=200_000)

    def sha256(self) -> str:
        return policy_text_sha256(self.model_dump())


@register
class PolicyPublished(Event):
    """A version of the privacy policy: its text, its label, and what it changes per purpose.

    The label and the text are bound one to one (a text is published under one label
    only), so a consent naming either names the same text (docs/consent.md)."""

    type: ClassVar[str] = "PolicyPublished"
    schema_version: ClassVar[int] = 2
    producer: ClassVar[str] = "consent"

    policy_version: str = Field(min_length=1, max_length=40)
    effective_at: datetime
    changes: tuple[PurposeChange, ...] = ()
    text_sha256: Sha256
    texts: PolicyTexts | None = None
    """The text itself (None before v2, which recorded only its hash)."""

    @model_validator(mode="after")
    def _hash_of_the_text(self) -> PolicyPublished:
        if self.texts is not None and self.texts.sha256() != self.text_sha256:
            raise ValueError("text_sha256 is not the SHA-256 of the texts")
        return self


@upcaster("PolicyPublished", 1)
def upcast_policy_published_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v1 recorded the text's hash only (the shipped first version's text is on hand by it)."""
    return {**payload, "texts": None}


@register
class CountryNoticePublished(Event):
    """The information a person is shown before consenting to provision to a country."""

    type: ClassVar[str] = "CountryNoticePublished"
    producer: ClassVar[str] = "consent"

    country: Region
    notice_sha256: Sha256
    country_name: str = Field(min_length=1)
    protection_system: str = Field(min_length=1)
    """Information on the country's system for the protection of personal information."""
    recipient_measures: str = Field(min_length=1)
    """The measures the recipient takes to protect personal information."""


@register
class BusinessTransferAnnounced(Event):
    type: ClassVar[str] = "BusinessTransferAnnounced"
    producer: ClassVar[str] = "consent"

    transfer_id: UUID
    acquirer: Recipient
    """The organisation id the business (and people's data) passes to."""
    acquirer_name: str = Field(min_length=1, max_length=200)
    purposes: tuple[Purpose, ...] = Field(min_length=1)
    opt_out_deadline: datetime


@register
class TransferObjected(Event):
    """A person opts out of a business transfer: they are excluded from it."""

    type: ClassVar[str] = "TransferObjected"
    producer: ClassVar[str] = "consent"

    transfer_id: UUID
