"""Events of the identity service: accounts, client organisations, erasure."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ac_events.catalogue.base import Event, Personal, register
from ac_events.catalogue.vocab import Language, Region, Role


@register
class UserRegistered(Event):
    type: ClassVar[str] = "UserRegistered"
    producer: ClassVar[str] = "identity"

    role: Role
    username: Personal[str]
    name: Personal[str]
    email: Personal[str]
    gender: Personal[str | None] = None
    school: Personal[str | None] = None
    language: Language = Language.JA
    organization_id: str | None = None
    """The client organisation a client user belongs to."""
    verification_token: Personal[str | None] = None
    """The one-time email verification token, for the message notifications sends."""


@register
class ProfileUpdated(Event):
    """The person corrected or added to their profile; None means unchanged."""

    type: ClassVar[str] = "ProfileUpdated"
    producer: ClassVar[str] = "identity"

    name: Personal[str | None] = None
    email: Personal[str | None] = None
    gender: Personal[str | None] = None
    school: Personal[str | None] = None
    language: Language | None = None


@register
class ClientOrganizationRegistered(Event):
    """A client company: what the record of a provision must name about a recipient."""

    type: ClassVar[str] = "ClientOrganizationRegistered"
    producer: ClassVar[str] = "identity"

    organization_id: str = Field(min_length=1, max_length=100)
    legal_name: str = Field(min_length=1)
    address: str = Field(min_length=1)
    representative: str = Field(min_length=1)
    country: Region


@register
class ErasureRequested(Event):
    type: ClassVar[str] = "ErasureRequested"
    producer: ClassVar[str] = "identity"

    requested_by: Role = Role.STUDENT


@register
class SubjectErased(Event):
    """The person's data key is destroyed: their personal data reads as ERASED everywhere."""

    type: ClassVar[str] = "SubjectErased"
    producer: ClassVar[str] = "identity"

    services_confirmed: tuple[str, ...] = ()


# ---------------------------------------------------------------- [H] issue 14, issue 16 (6)


@register
class RegistrationAttempted(Event):
    """Someone tried to register the username of this account. Registration answers the same
    whether a username is free or taken (issue 14, item 5); the owner is told by email."""

    type: ClassVar[str] = "RegistrationAttempted"
    producer: ClassVar[str] = "identity"
