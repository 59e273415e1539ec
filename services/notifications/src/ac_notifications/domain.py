"""Notification rules, pure: once-only identities, which purpose a message needs,
who an announcement concerns, retry timing and permanence, job-alert matching,
unsubscribe links."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ac_events.catalogue import NotificationKind, Purpose

_NAMESPACE = uuid.UUID("6f1c9b8e-4b0a-4f1e-9d53-acc0ec70a001")

NEEDS_CONSENT: dict[NotificationKind, Purpose] = {
    NotificationKind.JOB_ALERT: Purpose.CV_AND_JOB_ALERTS,
    NotificationKind.MARKETING: Purpose.MARKETING,
    NotificationKind.PROMOTION: Purpose.PROMOTIONS_AND_EVENTS,
}
"""Messages whose purpose needs the person's consent, checked at send time. The
others are owed to the person by law or by the policy (notices, confirmations)."""

SERVES: dict[NotificationKind, Purpose] = {
    NotificationKind.APPLICATION_STATUS: Purpose.RECRUITMENT_SERVICES,
    NotificationKind.APPLICATION_WITHDRAWN: Purpose.RECRUITMENT_SERVICES,
}
"""[P] issue 15: the purpose the application messages serve. Owed to the person who applied
(and to the organisation applied to), as part of the service they use: not gated on a
consent, as the notices above are not; never marketing (no unsubscribe link)."""

UNSUBSCRIBABLE = frozenset(
    {Purpose.MARKETING, Purpose.PROMOTIONS_AND_EVENTS, Purpose.CV_AND_JOB_ALERTS}
)


def idempotency_key(cause: str, kind: NotificationKind, subject_id: str) -> str:
    """One message per (cause, kind, person): redelivered causes map to the same key."""
    return f"{cause}:{kind.value}:{subject_id}"


def message_id(key: str) -> uuid.UUID:
    """The message's id, derived from its idempotency key (also its SMTP Message-ID)."""
    return uuid.uuid5(_NAMESPACE, key)


def retry_delay(attempts: int, base_s: float, max_s: float) -> float:
    """Exponential back-off after `attempts` failed tries."""
    return float(min(max_s, base_s * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True, slots=True)
class Announcement:
    """A significant policy change or a business transfer: whoever consented to one of its
    purposes must be told."""

    purposes: frozenset[str]
    policy_position: int | None = None
    """A policy change: its version's position on the `policies` stream."""
    opt_out_deadline: datetime | None = None
    """A business transfer: until when a person may object to it."""


@dataclass(frozen=True, slots=True)
class Consented:
    """One active consent, as consent.events told it."""

    purpose: str
    policy_position: int | None
    """Position of the policy version it was given under; None while that version's event has
    not been read yet. The `policies` stream is read in order, so an unread version is newer
    than every change read so far."""
    granted_at: datetime


def concerned(announcement: Announcement, consent: Consented) -> bool:
    """Whether this consent's holder must be told of the announcement.

    Whichever of the two events is read first (they travel on different partitions), the
    answer is the same: a policy change concerns consents given under an older version; a
    transfer concerns consents given before its opt-out deadline.
    """
    if consent.purpose not in announcement.purposes:
        return False
    if announcement.policy_position is not None:
        return (
            consent.policy_position is not None
            and consent.policy_position < announcement.policy_position
        )
    deadline = announcement.opt_out_deadline
    return deadline is None or consent.granted_at < deadline


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    PERMANENT = "permanent"


class Stage(StrEnum):
    """Where in an SMTP exchange a reply came."""

    RECIPIENT = "recipient"
    """The answer to `RCPT TO`: about this one address."""
    RELAY = "relay"
    """Any other answer (connection, `MAIL FROM`, `DATA`): about the relay, not the message."""


def smtp_outcome(code: int | None, stage: Stage) -> Outcome:
    """A reply's meaning. Only a 5xx refusal of the address is permanent (the message can
    never be delivered there); a 4xx or 5xx of the relay, or no reply at all, is the relay's
    trouble and is retried with back-off, up to the attempt cap."""
    if stage is Stage.RECIPIENT and code is not None and 500 <= code < 600:
        return Outcome.PERMANENT
    return Outcome.RETRY


@dataclass(frozen=True, slots=True)
class Alert:
    keywords: tuple[str, ...]
    countries: tuple[str, ...]


def alert_matches(alert: Alert, text: str, country: str) -> bool:
    """A vacancy matches when it is in one of the countries (any if none) and names a keyword
    (any vacancy if none)."""
    if alert.countries and country not in alert.countries:
        return False
    lowered = text.lower()
    return not alert.keywords or any(k.lower() in lowered for k in alert.keywords)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unsubscribe_token(
    key: bytes, subject_id: str, purpose: Purpose, ttl_s: int = 90 * 86400
) -> str:
    body = _b64(
        json.dumps({"s": subject_id, "p": purpose.value, "e": int(time.time()) + ttl_s}).encode()
    )
    signature = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


class BadLink(ValueError):
    pass


def read_unsubscribe_token(key: bytes, token: str) -> tuple[str, Purpose]:
    """(subject, purpose) of a valid link; `BadLink` if forged, malformed or expired."""
    body, _, signature = token.partition(".")
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature.encode(), expected.encode()):
        raise BadLink("this link is not valid")
    try:
        claims = json.loads(_unb64(body))
        subject, purpose, expires = str(claims["s"]), Purpose(claims["p"]), int(claims["e"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BadLink("this link is not valid") from exc
    if expires < time.time():
        raise BadLink("this link has expired")
    if purpose not in UNSUBSCRIBABLE:
        raise BadLink("this link is not valid")
    return subject, purpose
