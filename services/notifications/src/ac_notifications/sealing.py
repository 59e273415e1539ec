"""Personal values this service keeps (an address, a verification token), sealed under the
person's own data key (`ac_events.sealing`)."""

from __future__ import annotations

from ac_events import sealing

SERVICE = "notifications"


def seal(key: bytes, subject_id: str, field: str, value: str) -> str:
    return sealing.seal(key, SERVICE, subject_id, field, value)


def unseal(key: bytes, subject_id: str, field: str, sealed: str) -> str:
    return sealing.unseal(key, SERVICE, subject_id, field, sealed)
