"""The identity service's HTTP contract: accounts, tokens, organisations, the keyring.

The username and password rules live here because the API states them: the
schema describes them, and a refusal names the one broken.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from ac_contracts.common import OrgId, SubjectId
from ac_events.catalogue import Language
from ac_events.catalogue.vocab import Region

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,39}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 256
USERNAME_RULES = (
    "3 to 40 characters: letters, digits, '_', '.', '-', starting with a letter or digit"
)
PASSWORD_RULES = (
    f"{MIN_PASSWORD} to {MAX_PASSWORD} characters, at least 4 different characters, "
    "and not containing the username"
)


def normalise_username(username: str) -> str:
    return username.strip().lower()


def username_problem(username: str) -> str | None:
    return None if USERNAME.fullmatch(normalise_username(username)) else USERNAME_RULES


def password_problems(password: str, username: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        problems.append(f"at most {MAX_PASSWORD} characters")
    if normalise_username(username) and normalise_username(username) in password.lower():
        problems.append("must not contain the username")
    if len(set(password)) < 4:
        problems.append("too few distinct characters")
    return problems


Name = Annotated[str, Field(min_length=1, max_length=200)]
Short = Annotated[str, Field(min_length=1, max_length=40)]


class Profile(BaseModel):
    """What identity holds about a person (sealed under their data key)."""

    username: str
    name: str
    email: str
    gender: str | None = None
    school: str | None = None
    language: Language = Language.JA


Username = Annotated[
    str,
    Field(min_length=3, max_length=40, pattern=r"^\s*[A-Za-z0-9][A-Za-z0-9_.-]{2,39}\s*$",
          description=f"Username: {USERNAME_RULES}."),
]  # fmt: skip
Password = Annotated[
    str,
    Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD,
          description=f"Password: {PASSWORD_RULES} (a refusal `weak_password` names the rule)."),
]  # fmt: skip


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Username
    password: Password
    name: Name
    email: EmailStr
    gender: str | None = Field(default=None, max_length=40)
    school: str | None = Field(default=None, max_length=200)
    language: Language = Language.JA
    policy_version: str | None = Field(
        default=None, min_length=1, max_length=40,
        description="The privacy policy version the person read and accepted (`GET /v1/policy`).",
    )  # fmt: skip

    def profile(self) -> Profile:
        return Profile(
            **self.model_dump(exclude={"password", "role", "organization_id", "policy_version"})
        )


class Registered(BaseModel):
    subject_id: str


class Verification(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=10, max_length=200)


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=256)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (the scheme, not a secret)
    expires_in: int
    subject_id: str
    role: str


class RefreshBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=10, max_length=200)


class ClientCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grant_type: Literal["client_credentials"]
    client_id: str = Field(min_length=1, max_length=40)
    client_secret: str = Field(min_length=1, max_length=200)


class ServiceTokenOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (the scheme, not a secret)
    expires_in: int


class Account(BaseModel):
    subject_id: str
    role: str
    organization_id: str | None
    email_verified: bool
    profile: Profile


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    email: EmailStr | None = None
    gender: str | None = Field(default=None, max_length=40)
    school: str | None = Field(default=None, max_length=200)
    language: Language | None = None


class Reauthentication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=256)


class OrganisationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization_id: OrgId
    legal_name: Name
    address: str = Field(min_length=1, max_length=500)
    representative: Name
    country: Region


class StaffMadeAccount(Registration):
    role: Literal["client", "staff", "auditor"]
    organization_id: OrgId | None = None
    """A client account names its organisation, and only a client's does
    (`organisation_for_clients_only`)."""


class DataKey(BaseModel):
    subject_id: str
    key: str
    """The person's data key, base64 (AES-256-GCM)."""


# ---------------------------------------------------------------- for other services [D] #16


class PasswordCheck(BaseModel):
    """A service asks whether a person's password is this (the desk's step-up)."""

    model_config = ConfigDict(extra="forbid")
    subject_id: SubjectId
    password: str = Field(min_length=1, max_length=256)


class ProfileChange(Correction):
    """A change the desk carries out (a request answered, an email changed after step-up)."""

    remove: list[Literal["gender", "school"]] = Field(default_factory=list, max_length=2)
    """Optional fields to delete."""
