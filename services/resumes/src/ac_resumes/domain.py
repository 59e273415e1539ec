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

from ac_contracts.errors import Refused
from ac_events.catalogue import (
    Event,
    ResumeContent,
    ResumeDeleted,
    ResumeRevised,
    ResumeSubmitted,
    SensitiveDataDeclared,
)
from ac_events.catalogue.vocab import SensitiveCategory


@dataclass(frozen=True, slots=True)
class Cv:
    """What the rules need to know of a person's current CV."""

    resume_id: UUID
    revision: int


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


@dataclass(frozen=True, slots=True)
class Write:
    """A CV submitted (`new`) or revised, as the guard read it."""

    content: ResumeContent
    new: bool
    found: frozenset[SensitiveCategory]
    """What the guard found in the text."""
    volunteered: tuple[SensitiveCategory, ...]
    """What the person volunteers with this write."""


def guard(write: Write, declared: Iterable[SensitiveCategory]) -> None:
    """Refuses a CV revealing sensitive data not volunteered (now or before)."""
    missing = undeclared(write.found, declared, write.volunteered)
    if missing:
        raise Refused(
            "sensitive_data",
            "the CV reveals special care-required information; remove it, or volunteer it",
            categories=missing,
        )


@dataclass(frozen=True, slots=True)
class Written:
    resume_id: UUID
    revision: int
    events: list[Event]


def decide_write(
    current: Cv | None, declared: Iterable[SensitiveCategory], write: Write, new_id: UUID
) -> Written:
    """The events of a CV write, or the rule it breaks: the guard's, a second submission,
    a revision of nothing."""
    guard(write, declared)
    revision = next_revision(current, new=write.new)
    rid = current.resume_id if current else new_id
    has_pdf = write.content.pdf_text is not None
    out: list[Event] = []
    if write.volunteered:
        out.append(SensitiveDataDeclared(categories=write.volunteered, resume_id=rid))
    if revision == 1:
        out.append(ResumeSubmitted(resume_id=rid, content=write.content, has_pdf=has_pdf))
    else:
        out.append(ResumeRevised(resume_id=rid, revision=revision, content=write.content,
                                 has_pdf=has_pdf))  # fmt: skip
    return Written(rid, revision, out)


def decide_delete(current: Cv | None) -> list[Event]:
    if current is None:
        raise Refused("no_resume", "no CV to delete")
    return [ResumeDeleted(resume_id=current.resume_id)]
