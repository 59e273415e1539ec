"""The published privacy policy (the consent service): read by anyone, without signing in.

`GET /v1/policy` is what a person is shown: the current text in both
languages, the purposes in the policy's words, who may receive data and
where, and how to reach the desk; older versions and the difference between
two are there too. A version's text is known by its SHA-256
(`ac_events.catalogue.policy_text_sha256`), which consents record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ac_events.catalogue import Language, PolicyTexts, Purpose, PurposeChange
from ac_events.catalogue.vocab import Sha256

PolicyVersion = Annotated[
    str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
]
"""A policy version's label (`2013-09`)."""


class PurposeOut(BaseModel):
    code: Purpose
    ja: str
    en: str
    third_party: bool
    """Using the data for it is providing it to a third party (consent names the recipient)."""
    opt_in: bool
    """Used only if the person opts in."""


class RecipientCategory(BaseModel):
    category: str
    ja: str
    en: str
    purposes: list[Purpose]
    countries: list[str]
    """ISO 3166-1 alpha-2 codes of where such recipients are."""


class DeskContact(BaseModel):
    """The window for requests, consultation and complaints (the policy's principle 6)."""

    email: str
    postal_address: str
    hours: str
    requests: str = "/v1/me/requests"
    """Where a signed-in person files a request (disclosure, correction, erasure, ...)."""
    enquiries: str = "/v1/enquiries"
    """Where anyone, without an account, asks a question or complains."""


class PolicyVersionListed(BaseModel):
    policy_version: str
    effective_at: datetime
    published_at: datetime
    text_sha256: Sha256
    significant: list[Purpose]
    """The purposes this version changed significantly (a new choice is needed)."""


class PolicyVersionOut(PolicyVersionListed):
    texts: PolicyTexts | None
    """The full text (Markdown); None only for a version published before texts were kept,
    whose text the service does not have."""
    changes: list[PurposeChange]


class PublishedPolicy(BaseModel):
    current: PolicyVersionOut
    """The latest version in effect (or the first one, if none is in effect yet)."""
    versions: list[PolicyVersionListed]
    """Every version, in publication order."""
    purposes: list[PurposeOut]
    recipients: list[RecipientCategory]
    contact: DeskContact


class PolicyDiffQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_version: PolicyVersion = Field(description="The older version")
    to_version: PolicyVersion = Field(description="The newer version")


class PolicyDiff(BaseModel):
    from_version: str
    to_version: str
    texts: dict[Language, str]
    """Per language, the unified diff of the two texts (empty when they are the same)."""
    changes: list[PurposeChange]
    """What `to_version` changes, per purpose."""
