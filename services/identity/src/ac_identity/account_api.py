"""[D] #16 (6): the routes of an account people can recover and control (HTTP only; the
commands are `control.py`'s).

Public: a password reset link asked for (the same 202 for a known and an unknown username)
and followed. A person: a password or username change (with the password), the sessions and
their end everywhere, a new verification link.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from ac_contracts.identity import (
    Account,
    PasswordChange,
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
    SessionOut,
    SessionsEnded,
    UsernameChange,
    VerificationSent,
)
from ac_identity.api import account_of
from ac_identity.deps import Deps
from ac_platform.auth import Caller, Principal, require

router = APIRouter(tags=["accounts"])

Me = Depends(require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR))


@router.post("/password-resets", status_code=202,
             summary="Email a link to set a new password (202 whether the account exists or not)")  # fmt: skip
async def request_reset(deps: Deps, body: PasswordResetRequest) -> PasswordResetAccepted:
    await deps.control.request_reset(body.username)
    return PasswordResetAccepted()


@router.post("/password-resets/confirm", status_code=204,
             summary="Set a new password with an emailed link (once, 30 minutes): every session ends")  # fmt: skip
async def confirm_reset(deps: Deps, body: PasswordResetConfirm) -> Response:
    await deps.control.confirm_reset(body.token, body.new_password)
    return Response(status_code=204)


@router.post("/me/password", status_code=204,
             summary="Change my password (with the current one): my other sessions end")  # fmt: skip
async def change_password(deps: Deps, body: PasswordChange, principal: Principal = Me) -> Response:
    await deps.control.change_password(
        principal.subject, principal.session, body.current_password, body.new_password
    )
    return Response(status_code=204)


@router.put("/me/username", summary="Change my username (with my password)")
async def change_username(deps: Deps, body: UsernameChange, principal: Principal = Me) -> Account:
    await deps.control.change_username(principal.subject, body.username, body.password)
    return await account_of(deps, principal.subject)


@router.get("/me/sessions", summary="My sessions: when each began, was last used, and if active")
async def sessions(deps: Deps, principal: Principal = Me) -> list[SessionOut]:
    return [
        SessionOut(**s.__dict__, current=s.session_id == principal.session)
        for s in await deps.control.sessions(principal.subject)
    ]


@router.delete("/me/sessions", summary="Sign out everywhere: every session of mine ends")
async def sign_out_everywhere(deps: Deps, principal: Principal = Me) -> SessionsEnded:
    return SessionsEnded(ended=await deps.control.sign_out_everywhere(principal.subject))


@router.post("/me/email-verifications", status_code=202,
             summary="Email me a new link to confirm my address (409 once it is confirmed)")  # fmt: skip
async def resend_verification(deps: Deps, principal: Principal = Me) -> VerificationSent:
    await deps.control.resend_verification(principal.subject)
    return VerificationSent()
