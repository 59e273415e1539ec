"""The resumes service's HTTP contract: a student's own CV."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ac_events.catalogue import ResumeContent
from ac_events.catalogue.vocab import SensitiveCategory

Line = Annotated[str, Field(min_length=1, max_length=500)]
Lines = Annotated[list[Line], Field(max_length=50)]
MAX_PDF_BASE64 = 700_000
"""About 512 KiB of PDF, inside the gateway's 1 MiB body limit."""


class Volunteering(BaseModel):
    """Special care-required categories the person chooses to give, under the policy shown."""

    model_config = ConfigDict(extra="forbid")
    categories: list[SensitiveCategory] = Field(min_length=1, max_length=7)
    policy_version: str = Field(min_length=1, max_length=40)


class ResumeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    education: Lines = Field(default_factory=list)
    experience: Lines = Field(default_factory=list)
    skills: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=100
    )
    languages: Lines = Field(default_factory=list)
    desired_roles: Lines = Field(default_factory=list)
    desired_locations: Lines = Field(default_factory=list)
    free_text: str = Field(default="", max_length=20_000)
    pdf_base64: str | None = Field(default=None, max_length=MAX_PDF_BASE64)
    """An optional PDF of the CV (base64); its text is extracted and checked like the rest."""
    volunteer: Volunteering | None = None


class ResumeOut(BaseModel):
    resume_id: UUID
    revision: int
    has_pdf: bool
    updated_at: datetime
    declared_sensitive: list[SensitiveCategory]
    content: ResumeContent
