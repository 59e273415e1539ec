"""The identity service's HTTP contract: accounts, tokens, organisations, the keyring.

The username and password rules live here because the API states them: the
schema describes them, and a refusal names the one broken.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from ac_contracts.common import Line, OrgId, SubjectId
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


Name = Annotated[Line, Field(min_length=1, max_length=200)]
Short = Annotated[Line, Field(min_length=1, max_length=40)]


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
    gender: Line | None = Field(default=None, max_length=40)
    school: Line | None = Field(default=None, max_length=200)
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


class RegistrationAccepted(BaseModel):
    """The answer to every registration, whether the username was free or taken: no one
    learns from it which usernames exist (issue 14, item 5)."""

    message: str = (
        "Thank you. If the username was free, a link to confirm your address is on its way to "
        "it; if no email comes, the username is taken: choose another."
    )


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


CLIENT_ADDRESS = "x-ac-client-address"
"""Where the gateway tells identity the address a public call came from (believed only with
the gateway's own token: sign-ins are slowed per address)."""
ServiceName = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_-]*$")]
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 (a grant name)
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105 (a type name)


class ClientCredentials(BaseModel):
    """A service's own token, for one peer it calls (`audience`)."""

    model_config = ConfigDict(extra="forbid")
    grant_type: Literal["client_credentials"]
    client_id: str = Field(min_length=1, max_length=40)
    client_secret: str = Field(min_length=1, max_length=200)
    audience: ServiceName = "identity"


class TokenExchange(BaseModel):
    """RFC 8693: the gateway trades a person's token (audience `gateway`) for a short one
    for the one service it is about to call. Refused once the person's session or account
    has ended (signed out, erased)."""

    model_config = ConfigDict(extra="forbid")
    grant_type: Literal["urn:ietf:params:oauth:grant-type:token-exchange"]
    client_id: str = Field(min_length=1, max_length=40)
    client_secret: str = Field(min_length=1, max_length=200)
    subject_token: str = Field(min_length=10, max_length=4000)
    subject_token_type: Literal["urn:ietf:params:oauth:token-type:access_token"]
    audience: ServiceName


class ServiceTokenOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (the scheme, not a secret)
    expires_in: int
    issued_token_type: str = ACCESS_TOKEN_TYPE


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
    gender: Line | None = Field(default=None, max_length=40)
    school: Line | None = Field(default=None, max_length=200)
    language: Language | None = None


class Reauthentication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=256)


class OrganisationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization_id: OrgId
    legal_name: Name
    address: Line = Field(min_length=1, max_length=500)
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


# ---------------------------------------------------------------- [D] #16 (6): accounts people
# can recover and control


class PasswordResetRequest(BaseModel):
    """A forgotten password: by the account's username (the one thing identity can find an
    account by: addresses are sealed under each person's key, and indexed nowhere)."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=100)


class PasswordResetAccepted(BaseModel):
    """The answer to every reset request, whether the account exists or not."""

    message: str = (
        "If an account has this username, a link to set a new password is on its way to its "
        "email address; it works once, for 30 minutes."
    )


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=10, max_length=200)
    new_password: Password


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=256)
    new_password: Password


class UsernameChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Username
    password: str = Field(min_length=1, max_length=256)


class SessionOut(BaseModel):
    """A session: one sign-in and the refresh tokens rotated from it (a family)."""

    session_id: str
    created_at: datetime
    last_used_at: datetime
    active: bool
    """Neither signed out, revoked nor expired."""
    current: bool
    """The session of the token that asks."""


class SessionsEnded(BaseModel):
    ended: int
    """How many sessions were still active."""


class VerificationSent(BaseModel):
    message: str = "A new link to confirm your address is on its way to it."
