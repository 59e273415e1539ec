"""The platform's fixed vocabulary (architecture.md §2, §3): purposes, data categories,
legal bases, decision reasons, roles, and the types of regions and recipients.

One definition shared by every service and the audit, so a code means the
same thing everywhere.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import pycountry
from pydantic import AfterValidator, StringConstraints, WithJsonSchema


class Purpose(StrEnum):
    """The purposes of use named by the privacy policy (architecture.md §2)."""

    RECRUITMENT_SERVICES = "recruitment_services"
    VACANCY_ASSESSMENT = "vacancy_assessment"
    CLIENT_APPLICATION = "client_application"
    CV_AND_JOB_ALERTS = "cv_and_job_alerts"
    MARKETING = "marketing"
    PRODUCT_IMPROVEMENT = "product_improvement"
    PROMOTIONS_AND_EVENTS = "promotions_and_events"
    ENQUIRIES = "enquiries"
    VETTING = "vetting"
    OUTSOURCED_PROCESSING = "outsourced_processing"
    LEGAL_DISCLOSURE = "legal_disclosure"
    EQUAL_OPPORTUNITY_MONITORING = "equal_opportunity_monitoring"
    ANALYTICS_ADVERTISING = "analytics_advertising"


THIRD_PARTY_PURPOSES = frozenset({Purpose.CLIENT_APPLICATION, Purpose.VETTING})
"""Purposes whose use is provision to a third party: consent names the recipient."""

OPT_IN_PURPOSES = frozenset({Purpose.MARKETING, Purpose.PROMOTIONS_AND_EVENTS})
"""Purposes used only with an explicit opt-in."""


class SensitiveCategory(StrEnum):
    """Special care-required personal information: acquired only if volunteered."""

    BELIEFS_RELIGION = "beliefs_religion"
    RACE_ETHNICITY_FAMILY_ORIGIN = "race_ethnicity_family_origin"
    DISABILITY = "disability"
    CRIMINAL_HISTORY = "criminal_history"
    COLLECTIVE_BARGAINING = "collective_bargaining"
    POLITICAL_RIGHTS = "political_rights"
    SEX_LIFE_HEALTH = "sex_life_health"


class DataCategory(StrEnum):
    """Ordinary categories of a person's data that a use or a provision covers."""

    NAME = "name"
    CONTACT = "contact"
    SCHOOL = "school"
    GENDER = "gender"
    RESUME = "resume"
    APPLICATION_FORM = "application_form"
    EDUCATION = "education"
    EXPERIENCE = "experience"
    SKILLS = "skills"
    LANGUAGES = "languages"
    PREFERENCES = "preferences"


class LegalBasis(StrEnum):
    """The exceptions of APPI art. 27(1) to consent for third-party provision."""

    LAWS_AND_REGULATIONS = "laws_and_regulations"
    LIFE_BODY_PROPERTY = "life_body_property"
    PUBLIC_HEALTH_CHILDREN = "public_health_children"
    STATE_COOPERATION = "state_cooperation"
    ACADEMIC_RESEARCH = "academic_research"


class DecisionReason(StrEnum):
    """Why a flow was allowed or denied (machine-readable)."""

    CONSENT_GRANTED = "consent_granted"
    NOT_THIRD_PARTY = "not_third_party"
    LEGAL_EXEMPTION = "legal_exemption"
    NO_CONSENT = "no_consent"
    WITHDRAWN = "withdrawn"
    RECONSENT_REQUIRED = "reconsent_required"
    REGION_NOT_COVERED = "region_not_covered"
    CATEGORIES_NOT_COVERED = "categories_not_covered"
    SENSITIVE_NOT_COVERED = "sensitive_not_covered"
    OBJECTED_TO_TRANSFER = "objected_to_transfer"
    ERASED = "erased"


class Role(StrEnum):
    STUDENT = "student"
    CLIENT = "client"
    STAFF = "staff"
    AUDITOR = "auditor"


class Language(StrEnum):
    JA = "ja"
    EN = "en"


_COUNTRIES = frozenset(c.alpha_2 for c in pycountry.countries)


def _iso_country(code: str) -> str:
    upper = code.strip().upper()
    if upper not in _COUNTRIES:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return upper


def is_region(code: str) -> bool:
    """`code` is an ISO 3166-1 alpha-2 country code, as written (upper case)."""
    return code in _COUNTRIES


Region = Annotated[
    str,
    AfterValidator(_iso_country),
    WithJsonSchema({"type": "string", "enum": sorted(_COUNTRIES)}),
]
"""An ISO 3166-1 alpha-2 country code, upper case (`JP` for Japan)."""

JAPAN = "JP"

ANY_RECIPIENT = "*"

Recipient = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^(\*|[A-Za-z0-9][A-Za-z0-9_.:-]*)$"),
]
"""An organisation id, or `*`: any recipient of the purpose inside the company."""

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""A hex SHA-256 digest (notices and policy texts are stored by content hash)."""
