"""Types every API shares: ids as they may appear in paths and bodies, and the error body."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

SubjectId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
"""A person's pseudonymous id (or a service's name)."""

OrgId = Annotated[
    str, Field(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
]
"""A client organisation's id, chosen by staff when they register it."""


class Problem(BaseModel):
    """Every error: `{"detail": {"reason": <code>, "message": <text>, ...}}` (the codes are in
    `ac_contracts.reasons`), or, for a malformed request, pydantic's list of the fields at
    fault."""

    detail: dict[str, Any] | list[dict[str, Any]] | str
