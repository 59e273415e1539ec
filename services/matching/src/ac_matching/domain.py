"""The matching service's rules, pure: what an application sends, what a client may see.

- A provision sends only the data items the application names, built from the
  person's details and CV (`snapshot`); its SHA-256 goes in `DataShared`.
- A denied provision tells the student which consent is missing (`missing_consent`).
- Before a student applies, a client sees candidates only by an anonymous
  reference (`candidate_ref`: keyed per vacancy, so references do not link
  across vacancies) and the parts of the CV that say nothing of who they are.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

from ac_contracts.errors import Refused
from ac_events.catalogue import DataCategory, DecisionReason, ResumeContent

DEFAULT_ITEMS = (
    DataCategory.NAME,
    DataCategory.CONTACT,
    DataCategory.SCHOOL,
    DataCategory.RESUME,
)
"""What an application sends unless the student names fewer items."""

SENDABLE = frozenset(DataCategory) - {DataCategory.APPLICATION_FORM}
METHOD = "bm25-v1"


NO_RESUME = "matching has no CV of yours: submit one (a CV just submitted arrives in a moment)"
"""CVs reach matching through resumes.events, so a 409 `resume_not_here_yet` right after a
submission means "not yet": try again shortly."""


@dataclass(frozen=True, slots=True)
class SeenResume:
    """The CV a student last wrote, as resumes answered it: a consistency token. Matching
    answers on that CV or not at all, never on an older one it still holds."""

    resume_id: UUID
    revision: int


def check_resume(resume_id: UUID, revision: int, seen: SeenResume | None) -> None:
    """Refuses (409) when the CV matching holds is not yet the one the student last wrote."""
    if seen is not None and (resume_id != seen.resume_id or revision < seen.revision):
        raise Refused(
            "resume_not_here_yet",
            f"matching does not have revision {seen.revision} of your CV yet: try again shortly",
        )


def current_resume(row: Mapping[str, Any] | None, seen: SeenResume | None) -> Mapping[str, Any]:
    """The CV row matching holds, if it is the one to answer on (else the 409 that says why)."""
    if row is None:
        raise Refused("resume_not_here_yet", NO_RESUME)
    check_resume(row["resume_id"], row["revision"], seen)
    return row


def items_to_send(requested: Iterable[DataCategory] | None) -> tuple[DataCategory, ...]:
    items = tuple(sorted(set(requested or DEFAULT_ITEMS)))
    unsendable = [i.value for i in items if i not in SENDABLE]
    if not items or unsendable:
        raise Refused("unsendable_items", f"cannot send: {unsendable or 'nothing'}")
    return items


def snapshot(
    items: Iterable[DataCategory], details: dict[str, Any], cv: ResumeContent
) -> dict[str, Any]:
    """The data a recipient receives: only the items named."""
    parts: dict[DataCategory, Any] = {
        DataCategory.NAME: details.get("name"),
        DataCategory.CONTACT: {"email": details.get("email")},
        DataCategory.SCHOOL: details.get("school"),
        DataCategory.GENDER: details.get("gender"),
        DataCategory.RESUME: cv.model_dump(mode="json"),
        DataCategory.EDUCATION: list(cv.education),
        DataCategory.EXPERIENCE: list(cv.experience),
        DataCategory.SKILLS: list(cv.skills),
        DataCategory.LANGUAGES: list(cv.languages),
        DataCategory.PREFERENCES: {
            "desired_roles": list(cv.desired_roles),
            "desired_locations": list(cv.desired_locations),
        },
    }
    return {item.value: parts[item] for item in items}


def snapshot_bytes(snap: dict[str, Any]) -> bytes:
    return orjson.dumps(snap, option=orjson.OPT_SORT_KEYS)


def snapshot_sha256(snap: dict[str, Any]) -> str:
    return hashlib.sha256(snapshot_bytes(snap)).hexdigest()


def missing_consent(
    reason: DecisionReason, legal_name: str, country: str, sensitive: Iterable[str]
) -> str:
    """What the student must consent to for the application to go through."""
    to = f"client_application to {legal_name} ({country})"
    messages = {
        DecisionReason.NO_CONSENT: f"no consent to {to}",
        DecisionReason.WITHDRAWN: f"your consent to {to} was withdrawn",
        DecisionReason.REGION_NOT_COVERED: f"your consent does not cover {country}: consent to {to}",
        DecisionReason.RECONSENT_REQUIRED: f"the policy changed: choose again for {to}",
        DecisionReason.CATEGORIES_NOT_COVERED: f"your consent to {to} does not cover these items",
        DecisionReason.SENSITIVE_NOT_COVERED: (
            f"your consent to {to} does not name {', '.join(sorted(sensitive))}"
        ),
        DecisionReason.OBJECTED_TO_TRANSFER: "you objected to the business transfer concerned",
        DecisionReason.ERASED: "this person has been erased",
    }
    return messages.get(reason, f"not allowed ({reason.value})")[:500]


def candidate_ref(key: bytes, vacancy_id: str, subject_id: str) -> str:
    mac = hmac.new(key, f"{vacancy_id}:{subject_id}".encode(), hashlib.sha256)
    return "cand_" + mac.hexdigest()[:20]


def candidate_summary(cv: ResumeContent, vacancy_skills: Iterable[str]) -> dict[str, Any]:
    """What a client may see of a candidate who has not applied: nothing that identifies."""
    wanted = {s.casefold() for s in vacancy_skills}
    return {
        "matched_skills": sorted(s for s in cv.skills if s.casefold() in wanted),
        "skills": sorted(cv.skills),
        "languages": list(cv.languages),
        "desired_roles": list(cv.desired_roles),
    }


def check_can_apply(vacancy: Mapping[str, Any] | None, applied_before: bool) -> Mapping[str, Any]:
    """The vacancy applied to, if an application to it may be made now."""
    if vacancy is None:
        raise Refused("unknown_vacancy", "no such vacancy")
    if not vacancy["open"]:
        raise Refused("vacancy_closed", "this vacancy is closed")
    if applied_before:
        raise Refused("already_applied", "you have applied to this vacancy")
    return vacancy


def check_can_close(vacancy: Mapping[str, Any]) -> None:
    if not vacancy["open"]:
        raise Refused("vacancy_closed", "this vacancy is closed already")


def own_vacancy(
    vacancy: Mapping[str, Any] | None, organization_id: str | None, by_client: bool
) -> Mapping[str, Any]:
    """The vacancy, if the caller may manage it: a client only its own organisation's."""
    if vacancy is None or (by_client and vacancy["organization_id"] != organization_id):
        raise Refused("no_such_vacancy", "no such vacancy of your organisation")
    return vacancy
