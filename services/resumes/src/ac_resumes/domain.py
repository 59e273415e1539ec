"""The resumes service's rules, pure: one CV per student, and the sensitive-data guard.

A CV is submitted once, then revised (its revision counts up) or deleted; after a
deletion it may be submitted afresh. Special care-required categories found
in a CV's text are refused unless the person has volunteered them, now or
before (`SensitiveDataDeclared`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from ac_events.catalogue import ResumeContent
from ac_events.catalogue.vocab import SensitiveCategory
from ac_events.errors import RuleError


@dataclass(frozen=True, slots=True)
class Cv:
    """What the rules need to know of a person's current CV."""

    resume_id: UUID
    revision: int


class ResumeRuleError(RuleError):
    """A rule of this service broken (its status, reason and message)."""


def all_text(content: ResumeContent) -> str:
    """Every piece of a CV a reader sees: what the guard reads."""
    parts: Iterable[str] = (
        *content.education,
        *content.experience,
        *content.skills,
        *content.languages,
        *content.desired_roles,
        *content.desired_locations,
        content.free_text,
        content.pdf_text or "",
    )
    return "\n".join(p for p in parts if p)


def undeclared(
    found: Iterable[SensitiveCategory],
    declared: Iterable[SensitiveCategory],
    volunteered: Iterable[SensitiveCategory],
) -> list[SensitiveCategory]:
    """The categories found that the person has not volunteered (sorted): a refusal if any."""
    allowed = {*declared, *volunteered}
    return sorted(set(found) - allowed)


def next_revision(current: Cv | None, *, new: bool) -> int:
    """The revision a submission (`new`) or a revision of the CV gets, or the rule it breaks."""
    if new:
        if current is not None:
            raise Refused("resume_exists", "you have a CV already: revise it")
        return 1
    if current is None:
        raise Refused("no_resume", "you have no CV to revise")
    return current.revision + 1
