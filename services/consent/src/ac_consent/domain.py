"""The consent service's commands, pure: no I/O, no clock (time comes in the command).

- a person's `Grant`, `Withdraw` and `ObjectToTransfer`, decided by
  `decide(policies, person, command)` against the rules' state
  (`ac_consent_rules.rules`);
- staff's `PublishPolicy` and `AnnounceTransfer`, by `decide_staff(policies, command)`.

Each returns the events to record (none when nothing changes), or raises
`Refused` with the rule it breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ac_consent_rules.rules import Person, Policies
from ac_contracts.errors import Refused
from ac_events.catalogue import (
    ANY_RECIPIENT,
    JAPAN,
    THIRD_PARTY_PURPOSES,
    BusinessTransferAnnounced,
    ConsentGranted,
    ConsentWithdrawn,
    DataCategory,
    Event,
    PolicyPublished,
    Purpose,
    SensitiveCategory,
    TransferObjected,
)


@dataclass(frozen=True, slots=True)
class Grant:
    consent_id: UUID
    purpose: Purpose
    recipient: str
    region: str
    data_categories: tuple[DataCategory, ...]
    sensitive_categories: tuple[SensitiveCategory, ...]
    policy_version: str
    country_notice_sha256: str | None
    channel: str = "web"
    policy_text_sha256: str | None = None
    """The text shown, as the client states it (checked against the version's)."""
    version_text_sha256: str | None = None
    """The version's text, as published (looked up by the command)."""


@dataclass(frozen=True, slots=True)
class Withdraw:
    consent_id: UUID


@dataclass(frozen=True, slots=True)
class ObjectToTransfer:
    transfer_id: UUID
    now: datetime


Command = Grant | Withdraw | ObjectToTransfer


def decide(policies: Policies, person: Person, command: Command) -> list[Event]:
    if person.erased:
        raise Refused("erased", "this person has been erased")
    if isinstance(command, Grant):
        if command.purpose == Purpose.LEGAL_DISCLOSURE:
            raise Refused(
                "legal_basis_not_consent", "legal disclosures rest on a legal basis, not on consent"
            )
        if command.policy_version not in policies.ranks:
            raise Refused(
                "unknown_policy_version", f"unknown policy version {command.policy_version!r}"
            )
        shown, published = command.policy_text_sha256, command.version_text_sha256
        if shown is not None and published is not None and shown != published:
            raise Refused(
                "policy_text_mismatch",
                f"the text shown is not the text of version {command.policy_version!r}",
            )
        if (command.region == JAPAN) != (command.country_notice_sha256 is None):
            raise Refused(
                "country_notice_required",
                "a consent for a region outside JP records the country notice shown (and only then)",
            )
        if command.purpose in THIRD_PARTY_PURPOSES and command.recipient == ANY_RECIPIENT:
            raise Refused(
                "recipient_required", "consent to third-party provision names the recipient"
            )
        return [
            ConsentGranted(
                consent_id=command.consent_id,
                purpose=command.purpose,
                recipient=command.recipient,
                region=command.region,
                data_categories=command.data_categories,
                sensitive_categories=command.sensitive_categories,
                policy_version=command.policy_version,
                policy_text_sha256=published or shown,
                country_notice_sha256=command.country_notice_sha256,
                channel=command.channel,
            )
        ]
    if isinstance(command, Withdraw):
        consent = person.consents.get(command.consent_id)
        if consent is None:
            if command.consent_id in person.withdrawn:
                return []  # withdrawing twice changes nothing
            raise Refused("no_such_consent", "no such consent of yours")
        return [
            ConsentWithdrawn(
                consent_id=consent.consent_id,
                purpose=consent.purpose,
                recipient=consent.recipient,
                region=consent.region,
            )
        ]
    transfer = policies.transfers.get(command.transfer_id)
    if transfer is None:
        raise Refused("unknown_transfer", "no such business transfer")
    if command.now > transfer.opt_out_deadline:
        raise Refused("opt_out_closed", "the opt-out window of this transfer has closed")
    if command.transfer_id in person.objections:
        return []
    return [TransferObjected(transfer_id=command.transfer_id)]


# ---------------------------------------------------------------- staff's commands


@dataclass(frozen=True, slots=True)
class PublishPolicy:
    event: PolicyPublished
    text_published_as: str | None = None
    """The version its text is published under already, if any (looked up by the command)."""


@dataclass(frozen=True, slots=True)
class AnnounceTransfer:
    event: BusinessTransferAnnounced
    now: datetime


StaffCommand = PublishPolicy | AnnounceTransfer


def decide_staff(policies: Policies, command: StaffCommand) -> list[Event]:
    """A policy version or a business transfer, or the rule it breaks."""
    if isinstance(command, PublishPolicy):
        version = command.event.policy_version
        if version in policies.ranks:
            raise Refused("policy_version_exists", f"{version!r} is already published")
        if command.text_published_as is not None:
            raise Refused(
                "policy_text_exists",
                f"this text is published already, as {command.text_published_as!r}",
                policy_version=command.text_published_as,
            )
        return [command.event]
    if command.event.opt_out_deadline <= command.now:
        raise Refused("deadline_passed", "the opt-out deadline must be in the future")
    return [command.event]
