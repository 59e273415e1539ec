"""Events of the identity service: accounts, client organisations, erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import Field

from ac_events.catalogue.base import Event, Personal, register, upcaster
from ac_events.catalogue.retention import RecordKind, RecordsRemoved
from ac_events.catalogue.vocab import Language, Region, Role


@register
class UserRegistered(Event):
    type: ClassVar[str] = "UserRegistered"
    schema_version: ClassVar[int] = 2
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
    policy_version: str | None = Field(default=None, max_length=40)
    """The privacy policy version the person accepted when registering (None: not stated,
    as for accounts staff create)."""


@upcaster("UserRegistered", 1)
def upcast_user_registered_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v1 did not record the policy version accepted."""
    return {**payload, "policy_version": None}


@register
class ProfileUpdated(Event):
    """The person corrected or added to their profile (None means unchanged), or deleted an
    optional field (`removed`)."""

    type: ClassVar[str] = "ProfileUpdated"
    schema_version: ClassVar[int] = 2
    producer: ClassVar[str] = "identity"

    name: Personal[str | None] = None
    email: Personal[str | None] = None
    gender: Personal[str | None] = None
    school: Personal[str | None] = None
    language: Language | None = None
    removed: tuple[Literal["gender", "school"], ...] = ()
    """Optional fields deleted (a deletion request to the desk)."""


@upcaster("ProfileUpdated", 1)
def upcast_profile_updated_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v1 could not delete a field."""
    return {**payload, "removed": []}


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


@register
class UnverifiedAccountsRemoved(RecordsRemoved):
    """Identity's retention job: accounts whose address was never confirmed."""

    type: ClassVar[str] = "UnverifiedAccountsRemoved"
    producer: ClassVar[str] = "identity"

    kind: Literal[RecordKind.UNVERIFIED_ACCOUNT] = RecordKind.UNVERIFIED_ACCOUNT


# ---------------------------------------------------------------- [H] issue 14, issue 16 (6)


@register
class RegistrationAttempted(Event):
    """Someone tried to register the username of this account. Registration answers the same
    whether a username is free or taken (issue 14, item 5); the owner is told by email."""

    type: ClassVar[str] = "RegistrationAttempted"
    producer: ClassVar[str] = "identity"


@register
class PasswordResetRequested(Event):
    """The person asked for a link to set a new password. The token travels only encrypted
    under their key, for the email notifications sends; identity keeps its SHA-256 alone."""

    type: ClassVar[str] = "PasswordResetRequested"
    producer: ClassVar[str] = "identity"

    token: Personal[str]
    expires_at: datetime


@register
class PasswordChanged(Event):
    """A new password, by an emailed link (`reset`: every session ends) or by the signed-in
    person (`change`: their other sessions end)."""

    type: ClassVar[str] = "PasswordChanged"
    producer: ClassVar[str] = "identity"

    via: Literal["reset", "change"]
    sessions_ended: int = Field(ge=0)


@register
class SignedOutEverywhere(Event):
    """The person ended every session of theirs."""

    type: ClassVar[str] = "SignedOutEverywhere"
    producer: ClassVar[str] = "identity"

    sessions_ended: int = Field(ge=0)


@register
class VerificationResent(Event):
    """A new email verification link, asked for by the signed-in person."""

    type: ClassVar[str] = "VerificationResent"
    producer: ClassVar[str] = "identity"

    verification_token: Personal[str]


@register
class UsernameChanged(Event):
    """The person chose another username (the old one is free again)."""

    type: ClassVar[str] = "UsernameChanged"
    producer: ClassVar[str] = "identity"

    username: Personal[str]
