"""Identity's routes for other services only [D] #16: each names the services it serves in
the settings (`step_up_services`, `profile_writers`, `account_erasers`, `guest_key_keepers`).

- `POST /internal/password-checks`: is this the person's password? (the desk's
  step-up), slowed after failures as every re-authentication is;
- `PATCH /internal/accounts/{id}/profile`: a change the desk carries out;
- `DELETE /internal/accounts/{id}`: an erasure the desk verified;
- `POST|DELETE /internal/keys/{guest-id}`: the data key of someone without an
  account who wrote to the desk (made on their first message, destroyed when their
  request's retention ends).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from ac_contracts.common import SubjectId
from ac_contracts.errors import Refused
from ac_contracts.identity import Account, PasswordCheck, ProfileChange
from ac_events.catalogue.streams import GUEST_PREFIX
from ac_identity import store
from ac_identity.api import account_of
from ac_identity.deps import Deps
from ac_platform.auth import Caller, Principal, require

router = APIRouter(tags=["internal"])

Service = Depends(require(Caller.SERVICE))


def _allowed(principal: Principal, services: tuple[str, ...]) -> None:
    if principal.subject not in services:
        raise Refused("forbidden", f"the service {principal.subject!r} may not do this")


@router.post("/internal/password-checks", status_code=204,
             summary="Whether this is the person's password (services only, throttled)")  # fmt: skip
async def check_password(
    deps: Deps, body: PasswordCheck, principal: Principal = Service
) -> Response:
    _allowed(principal, deps.settings.step_up_services)
    # Slowed after failures as any re-authentication is (`passwords.REAUTHENTICATION`).
    await deps.accounts.check_password(body.subject_id, body.password)
    return Response(status_code=204)


@router.patch("/internal/accounts/{subject_id}/profile",
              summary="Change a person's profile for them (services only)")  # fmt: skip
async def change_profile(
    deps: Deps, subject_id: SubjectId, body: ProfileChange, principal: Principal = Service
) -> Account:
    _allowed(principal, deps.settings.profile_writers)
    changes = body.model_dump(exclude_unset=True, exclude_none=True, exclude={"remove"})
    if not changes and not body.remove:
        raise Refused("nothing_to_change", "no field given")
    await deps.accounts.update_profile(subject_id, changes, tuple(body.remove))
    return await account_of(deps, subject_id)


@router.delete("/internal/accounts/{subject_id}", status_code=204,
               summary="Erase a person for them (services only)")  # fmt: skip
async def erase(deps: Deps, subject_id: SubjectId, principal: Principal = Service) -> Response:
    _allowed(principal, deps.settings.account_erasers)
    if await store.account(deps.db, subject_id) is None:
        raise Refused("no_such_account", "no such account")
    await deps.accounts.erase(subject_id)
    return Response(status_code=204)


def _guest(principal: Principal, deps: Deps, subject_id: str) -> None:
    _allowed(principal, deps.settings.guest_key_keepers)
    if not subject_id.startswith(GUEST_PREFIX):
        raise Refused("not_a_guest", "only a guest's key (guest-...) is made or destroyed here")


@router.post("/internal/keys/{subject_id}", status_code=204,
             summary="Make a guest's data key (services only; guest-... ids)")  # fmt: skip
async def make_guest_key(
    deps: Deps, subject_id: SubjectId, principal: Principal = Service
) -> Response:
    _guest(principal, deps, subject_id)
    await deps.keyring.ensure(subject_id)
    return Response(status_code=204)


@router.delete("/internal/keys/{subject_id}", status_code=204,
               summary="Destroy a guest's data key (services only; guest-... ids)")  # fmt: skip
async def destroy_guest_key(
    deps: Deps, subject_id: SubjectId, principal: Principal = Service
) -> Response:
    _guest(principal, deps, subject_id)
    await deps.keyring.destroy(subject_id)
    return Response(status_code=204)
