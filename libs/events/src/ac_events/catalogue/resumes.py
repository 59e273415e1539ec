"""Events of the resumes service: CVs and volunteered sensitive data."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ac_events.catalogue.base import Event, Personal, register
from ac_events.catalogue.vocab import SensitiveCategory


class ResumeContent(BaseModel):
    """A CV's structured parts and free text: personal as a whole."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    education: tuple[str, ...] = ()
    experience: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    desired_roles: tuple[str, ...] = ()
    desired_locations: tuple[str, ...] = ()
    free_text: str = ""
    pdf_text: str | None = None


@register
class ResumeSubmitted(Event):
    type: ClassVar[str] = "ResumeSubmitted"
    producer: ClassVar[str] = "resumes"

    resume_id: UUID
    content: Personal[ResumeContent]
    has_pdf: bool = False


@register
class ResumeRevised(Event):
    type: ClassVar[str] = "ResumeRevised"
    producer: ClassVar[str] = "resumes"

    resume_id: UUID
    revision: int = Field(ge=2)
    content: Personal[ResumeContent]
    has_pdf: bool = False


@register
class ResumeDeleted(Event):
    type: ClassVar[str] = "ResumeDeleted"
    producer: ClassVar[str] = "resumes"

    resume_id: UUID


@register
class SensitiveDataDeclared(Event):
    """The person volunteered these special care-required categories."""

    type: ClassVar[str] = "SensitiveDataDeclared"
    producer: ClassVar[str] = "resumes"

    categories: tuple[SensitiveCategory, ...] = Field(min_length=1)
    resume_id: UUID | None = None
