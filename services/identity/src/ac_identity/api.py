"""HTTP routes of the identity service -> accounts, tokens, organisations, the keyring.

Public: registration, email verification, login, refresh, the JWKS.
A person: their own account (`/me`), logout, erasure (after re-authentication).
Staff: client organisations and the accounts of clients, staff and auditors.
Services: service tokens (client credentials) and the keyring (`/internal/keys`).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from ac_events.catalogue import ClientOrganizationRegistered, Language, Role
from ac_events.catalogue.vocab import Region
from ac_events.crypto import b64e
from ac_events.keyring import Keyring
from ac_identity import store
from ac_identity.accounts import Accounts, Profile, Refused
from ac_identity.domain import (
    PASSWORD_RULES,
    USERNAME_RULES,
    password_problems,
    username_problem,
)
from ac_identity.settings import IdentitySettings
from ac_platform.auth import Caller, Principal, require
from ac_platform.service import Resources

router = APIRouter()

Me = Depends(require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR))
Staff = Depends(require(Caller.STAFF))
Service = Depends(require(Caller.SERVICE))
Anyone = Depends(
    require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR, Caller.SERVICE)
)

Name = Annotated[str, Field(min_length=1, max_length=200)]
Short = Annotated[str, Field(min_length=1, max_length=40)]
OrgId = Annotated[
    str, Field(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
]


def _accounts(request: Request) -> Accounts:
    res: Resources = request.app.state.resources
    accounts: Accounts = res.extras["accounts"]  # type: ignore[assignment]
    return accounts


def _refused(exc: Refused) -> HTTPException:
    return HTTPException(exc.status, {"reason": exc.reason, "message": str(exc)})


# ---------------------------------------------------------------- public


@router.get("/.well-known/jwks.json", tags=["tokens"], summary="Public keys of access tokens")
async def jwks(request: Request) -> dict[str, Any]:
    return _accounts(request).signer.jwks()


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Short = Field(description=f"Username: {USERNAME_RULES}.")
    password: str = Field(min_length=1, max_length=256, description=f"Password: {PASSWORD_RULES}.")
    name: Name
    email: EmailStr
    gender: str | None = Field(default=None, max_length=40)
    school: str | None = Field(default=None, max_length=200)
    language: Language = Language.JA

    @model_validator(mode="after")
    def _rules(self) -> Registration:
        problem = username_problem(self.username)
        if problem:
            raise ValueError(f"username: {problem}")
        problems = password_problems(self.password, self.username)
        if problems:
            raise ValueError(f"password: {'; '.join(problems)}")
        return self

    def profile(self) -> Profile:
        return Profile(**self.model_dump(exclude={"password"}))


class Registered(BaseModel):
    subject_id: str


@router.post("/users", status_code=201, tags=["accounts"], summary="Register a student")
async def register(request: Request, body: Registration) -> Registered:
    try:
        subject_id, _ = await _accounts(request).register(
            body.profile(), body.password, Role.STUDENT
        )
    except Refused as exc:
        raise _refused(exc) from exc
    return Registered(subject_id=subject_id)


class Verification(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=10, max_length=200)


@router.post("/email-verifications", tags=["accounts"], summary="Confirm an email address")
async def verify_email(request: Request, body: Verification) -> Registered:
    try:
        return Registered(subject_id=await _accounts(request).verify_email(body.token))
    except Refused as exc:
        raise _refused(exc) from exc


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


@router.post("/sessions", tags=["tokens"], summary="Log in: an access and a refresh token")
async def login(request: Request, body: Login) -> TokenPair:
    try:
        t = await _accounts(request).login(body.username, body.password)
    except Refused as exc:
        raise _refused(exc) from exc
    return TokenPair(**t.__dict__)


class RefreshBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=10, max_length=200)


@router.post(
    "/sessions/refresh",
    tags=["tokens"],
    summary="New tokens for a refresh token (rotated; a reused one signs the family out)",
)
async def refresh(request: Request, body: RefreshBody) -> TokenPair:
    try:
        t = await _accounts(request).refresh(body.refresh_token)
    except Refused as exc:
        raise _refused(exc) from exc
    return TokenPair(**t.__dict__)


@router.post("/sessions/logout", status_code=204, tags=["tokens"], summary="Log out")
async def logout(request: Request, body: RefreshBody, principal: Principal = Me) -> Response:
    await _accounts(request).logout(principal.subject, body.refresh_token)
    return Response(status_code=204)


class ClientCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grant_type: Literal["client_credentials"]
    client_id: str = Field(min_length=1, max_length=40)
    client_secret: str = Field(min_length=1, max_length=200)


class ServiceToken(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (the scheme, not a secret)
    expires_in: int


@router.post("/oauth/token", tags=["tokens"], summary="A service's access token")
async def service_token(request: Request, body: ClientCredentials) -> ServiceToken:
    accounts = _accounts(request)
    settings: IdentitySettings = accounts.settings
    expected = settings.service_secret_digests().get(body.client_id, "")
    given = settings.secret_digest(body.client_secret)
    if not expected or not hmac.compare_digest(expected, given):
        raise Refused("invalid_client", "unknown service or secret")
    ttl = settings.access_token_ttl_s
    return ServiceToken(
        access_token=accounts.signer.access_token(body.client_id, Caller.SERVICE.value, ttl),
        expires_in=ttl,
    )


# ---------------------------------------------------------------- a person's own account


class Account(BaseModel):
    subject_id: str
    role: str
    organization_id: str | None
    email_verified: bool
    profile: Profile


@router.get("/me", tags=["accounts"], summary="My account and what identity holds about me")
async def me(request: Request, principal: Principal = Me) -> Account:
    return await _account(request, principal.subject)


async def _account(request: Request, subject_id: str) -> Account:
    accounts = _accounts(request)
    row = await store.account(accounts.pool, subject_id)
    profile = await accounts.profile(subject_id)
    if row is None or profile is None:
        raise Refused("no_such_account", "no such account")
    return Account(
        subject_id=subject_id,
        role=row["role"],
        organization_id=row["organization_id"],
        email_verified=row["email_verified"],
        profile=profile,
    )


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    email: EmailStr | None = None
    gender: str | None = Field(default=None, max_length=40)
    school: str | None = Field(default=None, max_length=200)
    language: Language | None = None


@router.patch("/me", tags=["accounts"], summary="Correct or add to my profile")
async def correct(request: Request, body: Correction, principal: Principal = Me) -> Account:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if not changes:
        raise Refused("nothing_to_change", "no field given")
    try:
        await _accounts(request).update_profile(principal.subject, changes)
    except Refused as exc:
        raise _refused(exc) from exc
    return await _account(request, principal.subject)


class Reauthentication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=256)


@router.delete(
    "/me",
    status_code=204,
    tags=["accounts"],
    summary="Erase me: my data key is destroyed, every copy of my personal data unreadable",
)
async def erase_me(request: Request, body: Reauthentication, principal: Principal = Me) -> Response:
    accounts = _accounts(request)
    try:
        await accounts.check_password(principal.subject, body.password)
    except Refused as exc:
        raise _refused(exc) from exc
    await accounts.erase(principal.subject)
    return Response(status_code=204)


# ---------------------------------------------------------------- staff


class OrganisationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization_id: OrgId
    legal_name: Name
    address: str = Field(min_length=1, max_length=500)
    representative: Name
    country: Region


@router.post(
    "/organisations", status_code=201, tags=["staff"], summary="Register a client organisation"
)
async def register_organisation(
    request: Request, body: OrganisationBody, _: Principal = Staff
) -> OrganisationBody:
    try:
        await _accounts(request).register_organisation(
            ClientOrganizationRegistered(**body.model_dump())
        )
    except Refused as exc:
        raise _refused(exc) from exc
    return body


@router.get("/organisations/{organization_id}", tags=["accounts"], summary="A client organisation")
async def get_organisation(
    request: Request, organization_id: OrgId, _: Principal = Anyone
) -> OrganisationBody:
    row = await store.organisation(_accounts(request).pool, organization_id)
    if row is None:
        raise Refused("no_such_organisation", "no such organisation")
    return OrganisationBody(**{k: row[k] for k in OrganisationBody.model_fields})


class StaffMadeAccount(Registration):
    role: Literal["client", "staff", "auditor"]
    organization_id: OrgId | None = None

    @model_validator(mode="after")
    def _org_for_clients(self) -> StaffMadeAccount:
        if (self.role == "client") != (self.organization_id is not None):
            raise ValueError("a client account names its organisation (and only a client's does)")
        return self


@router.post(
    "/accounts",
    status_code=201,
    tags=["staff"],
    summary="Create a client, staff or auditor account",
)
async def create_account(
    request: Request, body: StaffMadeAccount, _: Principal = Staff
) -> Registered:
    profile = Profile(**body.model_dump(exclude={"password", "role", "organization_id"}))
    try:
        subject_id, _token = await _accounts(request).register(
            profile, body.password, Role(body.role), body.organization_id
        )
    except Refused as exc:
        raise _refused(exc) from exc
    return Registered(subject_id=subject_id)


# ---------------------------------------------------------------- services


class DataKey(BaseModel):
    subject_id: str
    key: str
    """The person's data key, base64 (AES-256-GCM)."""


@router.get(
    "/internal/keys/{subject_id}",
    tags=["internal"],
    summary="A person's data key, for services only (410 once erased)",
)
async def data_key(request: Request, subject_id: str, _: Principal = Service) -> DataKey:
    res: Resources = request.app.state.resources
    keyring: Keyring = res.extras["keyring"]  # type: ignore[assignment]
    key = await keyring.key_for(subject_id)
    if isinstance(key, bytes):
        return DataKey(subject_id=subject_id, key=b64e(key))
    if await store.erased(_accounts(request).pool, subject_id):
        raise Refused("erased", "this person has been erased")
    raise Refused("no_key", "no data key for this person")
