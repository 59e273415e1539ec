"""The one error type for a refused command or request, pure of HTTP.

A service's rules raise `Refused(reason, message)`; the platform answers it with
the status `ac_contracts.reasons` gives that reason, as
`{"detail": {"reason": <code>, "message": <text>, ...details}}`.
"""

from __future__ import annotations

from typing import Any

from ac_contracts.reasons import REASONS


class Refused(Exception):
    """A refusal: a registered `reason` code, a message for people, and details for machines
    (JSON-serialisable, never personal data)."""

    def __init__(self, reason: str, message: str, **details: Any) -> None:
        if reason not in REASONS:
            raise ValueError(
                f"unregistered reason code {reason!r} (add it to ac_contracts.reasons)"
            )
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.details = details

    @property
    def status(self) -> int:
        return REASONS[self.reason].status

    def body(self) -> dict[str, Any]:
        return {"detail": {"reason": self.reason, "message": self.message, **self.details}}
