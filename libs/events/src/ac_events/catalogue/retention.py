"""What a retention job says it removed (architecture.md §4, `ac_events.retention`).

Each service that holds records with a retention period runs a job that
removes the ones whose period has ended and, in the same transaction, appends
one of these: the kind of record, the cutoff (every record whose period started
before it is gone), and how many it removed. Counts, never content: the event
names no person and no record. The audit's `retention` rule reads them beside
the records the log shows.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from ac_events.catalogue.base import Event


class RecordKind(StrEnum):
    """The kinds of record with a retention period (one row each in `retention.yaml`)."""

    PROVISION_RECORD = "provision_record"
    """A record of a provision to a third party (matching's `disclosures`)."""
    GUEST_REQUEST = "guest_request"
    """A complaint or enquiry of someone without an account (the desk)."""
    UNVERIFIED_ACCOUNT = "unverified_account"
    """An account whose email address was never confirmed (identity)."""
    MESSAGE_BODY = "message_body"
    """What a delivered message said (notifications keeps the delivery, not the body)."""


class RecordsRemoved(Event):
    """Base of each service's own removal event (not registered itself)."""

    kind: RecordKind
    cutoff: datetime
    """Every record of this kind whose period started before this moment was removed."""
    removed: int = Field(ge=0)
    """How many records this run removed."""
    period_days: int = Field(ge=1)
    """The period the run applied (from the retention table)."""
