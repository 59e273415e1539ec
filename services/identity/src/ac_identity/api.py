"""HTTP routes of the identity service -> accounts, tokens, organisations, the keyring.

Public: registration, email verification, login, refresh, the JWKS.
A person: their own account (`/me`), logout, erasure (after re-authentication).
Staff: client organisations and the accounts of clients, staff and auditors.
Services: service tokens (client credentials) and the keyring (`/internal/keys`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from ac_contracts.common import OrgId, SubjectId
from ac_contracts.errors import Refused
from ac_contracts.identity import (
    CLIENT_ADDRESS,
    Account,
    ClientCredentials,
    Correction,
    DataKey,
    Login,
    OrganisationBody,
    Reauthentication,
    RefreshBody,
    Registered,
    Registration,
    RegistrationAccepted,
    ServiceTokenOut,
    StaffMadeAccount,
    TokenExchange,
    TokenPair,
    Verification,
)
from ac_events.catalogue import ClientOrganizationRegistered, Role
from ac_events.crypto import b64e
from ac_identity import store
from ac_identity.deps import Deps
from ac_platform.auth import Caller, Principal, caller, require

router = APIRouter()

Me = Depends(require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR))
Staff = Depends(require(Caller.STAFF))
Service = Depends(require(Caller.SERVICE))
Anyone = Depends(
    require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR, Caller.SERVICE)
)


# ---------------------------------------------------------------- public


async def client_address(deps: Deps, request: Request) -> str:
    """Where a sign-in comes from: the address the gateway saw (believed only when the call
    carries the gateway's own token), else the peer's."""
    told = request.headers.get(CLIENT_ADDRESS)
    if told:
        who = await caller(request)
        if who and who.role == Caller.SERVICE and who.subject in deps.settings.exchangers:
            return told
    return request.client.host if request.client else "unknown"


@router.get("/.well-known/jwks.json", tags=["tokens"], summary="Public keys of access tokens")
async def jwks(deps: Deps) -> dict[str, Any]:
    return deps.signer.jwks()


@router.post("/users", status_code=202, tags=["accounts"],
             summary="Register a student: the same answer for a free and a taken username")  # fmt: skip
async def register(deps: Deps, body: Registration) -> RegistrationAccepted:
    await deps.accounts.register_student(body.profile(), body.password, body.policy_version)
    return RegistrationAccepted()


@router.post("/email-verifications", tags=["accounts"], summary="Confirm an email address")
async def verify_email(deps: Deps, body: Verification) -> Registered:
    return Registered(subject_id=await deps.accounts.verify_email(body.token))


@router.post("/sessions", tags=["tokens"], summary="Log in: an access and a refresh token")
async def login(deps: Deps, request: Request, body: Login) -> TokenPair:
    t = await deps.accounts.login(body.username, body.password, await client_address(deps, request))
    return TokenPair(**t.__dict__)


@router.post("/sessions/refresh", tags=["tokens"],
             summary="New tokens for a refresh token (rotated; a reused one signs the family out)")  # fmt: skip
async def refresh(deps: Deps, body: RefreshBody) -> TokenPair:
    t = await deps.accounts.refresh(body.refresh_token)
    return TokenPair(**t.__dict__)


@router.post("/sessions/logout", status_code=204, tags=["tokens"], summary="Log out")
async def logout(deps: Deps, body: RefreshBody, principal: Principal = Me) -> Response:
    await deps.accounts.logout(principal.subject, body.refresh_token)
    return Response(status_code=204)


Grant = Annotated[ClientCredentials | TokenExchange, Field(discriminator="grant_type")]


@router.post("/oauth/token", tags=["tokens"],
             summary="A service's token for one peer, or the gateway's exchange of a person's")  # fmt: skip
async def token(deps: Deps, body: Grant) -> ServiceTokenOut:
    if isinstance(body, TokenExchange):
        return await deps.grants.exchange(body)
    return deps.grants.client_credentials(body)


# ---------------------------------------------------------------- a person's own account


@router.get("/me", tags=["accounts"], summary="My account and what identity holds about me")
async def me(deps: Deps, principal: Principal = Me) -> Account:
    return await account_of(deps, principal.subject)


async def account_of(deps: Deps, subject_id: str) -> Account:
    row = await store.account(deps.db, subject_id)
    profile = await deps.accounts.profile(subject_id)
    if row is None or profile is None:
        raise Refused("no_such_account", "no such account")
    return Account(subject_id=subject_id, role=row["role"], organization_id=row["organization_id"],
                   email_verified=row["email_verified"], profile=profile)  # fmt: skip


@router.patch("/me", tags=["accounts"], summary="Correct or add to my profile")
async def correct(deps: Deps, body: Correction, principal: Principal = Me) -> Account:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if not changes:
        raise Refused("nothing_to_change", "no field given")
    if "email" in changes:  # [D] #16: an email change asks for step-up verification
        raise Refused("step_up_required",
                      "an email change is a request to the desk (POST /v1/me/requests)")  # fmt: skip
    await deps.accounts.update_profile(principal.subject, changes)
    return await account_of(deps, principal.subject)


@router.delete("/me", status_code=204, tags=["accounts"],
               summary="Erase me: my data key is destroyed, every copy of my personal data unreadable")  # fmt: skip
async def erase_me(deps: Deps, body: Reauthentication, principal: Principal = Me) -> Response:
    await deps.accounts.check_password(principal.subject, body.password)
    await deps.accounts.erase(principal.subject)
    return Response(status_code=204)


# ---------------------------------------------------------------- staff


@router.post("/organisations", status_code=201, tags=["staff"],
             summary="Register a client organisation")  # fmt: skip
async def register_organisation(
    deps: Deps, body: OrganisationBody, _: Principal = Staff
) -> OrganisationBody:
    await deps.accounts.register_organisation(ClientOrganizationRegistered(**body.model_dump()))
    return body


@router.get("/organisations/{organization_id}", tags=["accounts"], summary="A client organisation")
async def get_organisation(
    deps: Deps, organization_id: OrgId, _: Principal = Anyone
) -> OrganisationBody:
    row = await store.organisation(deps.db, organization_id)
    if row is None:
        raise Refused("no_such_organisation", "no such organisation")
    return OrganisationBody(**{k: row[k] for k in OrganisationBody.model_fields})


@router.post("/accounts", status_code=201, tags=["staff"],
             summary="Create a client, staff or auditor account")  # fmt: skip
async def create_account(deps: Deps, body: StaffMadeAccount, _: Principal = Staff) -> Registered:
    subject_id, _token = await deps.accounts.register(
        body.profile(), body.password, Role(body.role), body.organization_id
    )
    return Registered(subject_id=subject_id)


# ---------------------------------------------------------------- services


@router.get("/internal/keys/{subject_id}", tags=["internal"],
            summary="A person's data key, for services only (410 once erased)")  # fmt: skip
async def data_key(deps: Deps, subject_id: SubjectId, principal: Principal = Service) -> DataKey:
    if not deps.settings.reads_keys(principal.subject):
        raise Refused("forbidden", "this service reads no personal data: no data keys")
    key = await deps.keyring.key_for(subject_id)
    if isinstance(key, bytes):
        return DataKey(subject_id=subject_id, key=b64e(key))
    if await store.erased(deps.db, subject_id):
        raise Refused("erased", "this person has been erased")
    raise Refused("no_key", "no data key for this person")
