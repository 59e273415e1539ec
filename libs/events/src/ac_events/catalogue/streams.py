"""The streams of the log: each service's event store keys its events by these ids.

A stream is one aggregate's history, appended with an expected version; the
audit and the consent service's as-of reads find a person's facts by them.
"""

from __future__ import annotations

from uuid import UUID


# -- identity
def user_stream(subject_id: str) -> str:
    """A person's account: registration, profile changes, erasure."""
    return f"user-{subject_id}"


def organisation_stream(organization_id: str) -> str:
    return f"org-{organization_id}"


# -- consent
CONSENT_STREAM_PREFIX = "consent-"


def consent_stream(subject_id: str) -> str:
    """A person's consents and objections."""
    return f"{CONSENT_STREAM_PREFIX}{subject_id}"


POLICY_STREAM = "policies"
"""Staff's policy versions and business transfers."""
NOTICE_STREAM = "country-notices"
"""The country notices people are shown (kept apart: they do not change decisions)."""


# -- resumes
def resume_stream(subject_id: str) -> str:
    """A person's CV and what they volunteered in it."""
    return f"resume-{subject_id}"


# -- matching
def matching_stream(subject_id: str) -> str:
    """What matching did with a person's data: scores, applications, provisions."""
    return f"matching-{subject_id}"


def vacancy_stream(vacancy_id: UUID) -> str:
    return f"vacancy-{vacancy_id}"


# -- notifications
def notifications_stream(subject_id: str) -> str:
    """The messages sent to a person, and their job alerts."""
    return f"notifications-{subject_id}"


# -- the desk
def request_stream(request_id: UUID) -> str:
    """One request of a person to the desk (or a complaint, an enquiry): its whole life."""
    return f"desk-request-{request_id}"


GUEST_PREFIX = "guest-"
"""Someone without an account who wrote to the desk gets a pseudonymous id of this form (and
a data key of their own at identity, destroyed when their request's retention ends)."""


# -- every service with a retention job
def retention_stream(service: str) -> str:
    """What a service's retention job removed (`RecordsRemoved`), appended at its tail."""
    return f"retention-{service}"
