"""What only the gateway answers: the routes that do more than relay one service."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel


class Export(BaseModel):
    """Everything the platform holds about the caller, machine-readable."""

    exported_at: datetime
    subject_id: str
    identity: dict[str, Any]
    consent: dict[str, Any] | None = None
    """The person's consents, their history and disclosures (students)."""
    resume: dict[str, Any] | None = None
    """Their CV (students)."""
    applications: list[dict[str, Any]] | None = None
    disclosures: list[dict[str, Any]] | None = None
    """Every provision of their data to a third party (students)."""


class Disclosure(Export):
    """The answer to a disclosure request (APPI art. 33): everything held, with the records
    of its provision to third parties (`disclosures`), and the person's requests."""

    request_id: UUID
    available_until: datetime
    requests: list[dict[str, Any]] | None = None
    """The person's requests to the desk."""


class Session(BaseModel):
    """A browser's session: the access token (kept in memory by the app); the refresh token is
    in an httpOnly cookie the page's scripts cannot read."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 (the scheme, not a secret)
    expires_in: int
    subject_id: str
    role: str
