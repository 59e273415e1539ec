"""[D] #16 (6): what a person does to keep their account: a forgotten password reset by an
emailed link, a password or username changed, their sessions listed or all ended, a new
verification link.

Like `commands.py`, each command commits its state change and its event in one transaction
on the person's account stream. A reset link's token is kept only as its SHA-256; the token
travels to notifications inside `PasswordResetRequested`, encrypted under the person's key.
A reset ends every session of the account; a change by the signed-in person ends the others
(an access token of an ended session is refused at its next exchange: `grants.py`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from ac_contracts.errors import Refused
from ac_contracts.identity import normalise_username, password_problems
from ac_events.catalogue import (
    PasswordChanged,
    PasswordResetRequested,
    SignedOutEverywhere,
    UsernameChanged,
    VerificationResent,
)
from ac_identity import store
from ac_identity.commands import Accounts
from ac_identity.domain import RESET_TTL, reset_usable
from ac_identity.tokens import digest, new_secret


@dataclass(frozen=True)
class Session:
    session_id: str
    created_at: datetime
    last_used_at: datetime
    active: bool


def _invalid() -> Refused:
    return Refused("reset_link_invalid", "unknown, used or expired password reset link")


class AccountControl:
    def __init__(self, accounts: Accounts) -> None:
        self.a = accounts
        self.pool = accounts.pool

    async def _username(self, subject_id: str) -> str:
        profile = await self.a.profile(subject_id)
        if profile is None:
            raise Refused("no_such_account", "no such account")
        return profile.username

    async def _new_password(self, subject_id: str, password: str) -> str:
        """The new password's hash, once it keeps the registration's rules."""
        problems = password_problems(password, await self._username(subject_id))
        if problems:
            raise Refused("weak_password", f"password: {'; '.join(problems)}")
        return await self.a.passwords.hash(password)

    # -- a forgotten password ---------------------------------------------

    async def request_reset(self, username: str) -> None:
        """Emails a link to the account's owner, if there is such an account; the caller
        learns nothing either way (the route answers the same)."""
        account = await store.account_by_index(self.pool, self.a.index(username))
        if account is None:
            return
        subject_id, token = account["subject_id"], new_secret()
        expires = self.a.clock() + RESET_TTL
        async with self.pool.acquire() as conn, conn.transaction():
            await store.insert_reset(conn, digest(token), subject_id, expires)
            await self.a._append(conn, subject_id, PasswordResetRequested(token=token, expires_at=expires))  # fmt: skip

    async def confirm_reset(self, token: str, new_password: str) -> None:
        """Sets the password a reset link was sent for, uses the link up, ends every session."""
        found = await store.reset(self.pool, digest(token))
        if found is None or not reset_usable(found["expires_at"], found["used_at"], self.a.clock()):
            raise _invalid()
        subject_id = found["subject_id"]
        hashed = await self._new_password(subject_id, new_password)
        async with self.pool.acquire() as conn, conn.transaction():
            row = await store.reset_for_update(conn, digest(token))
            now = self.a.clock()
            if row is None or not reset_usable(row["expires_at"], row["used_at"], now):
                raise _invalid()  # used meanwhile
            await store.use_resets(conn, subject_id, now)
            await store.set_password_hash(conn, subject_id, hashed)
            ended = await store.revoke_sessions(conn, subject_id, now)
            await self.a._append(conn, subject_id, PasswordChanged(via="reset", sessions_ended=ended))  # fmt: skip

    # -- the signed-in person ---------------------------------------------

    async def change_password(
        self, subject_id: str, session: str | None, current: str, new_password: str
    ) -> None:
        """A new password, confirmed with the current one; the person's other sessions end."""
        await self.a.check_password(subject_id, current)
        hashed = await self._new_password(subject_id, new_password)
        keep = uuid.UUID(session) if session else None
        async with self.pool.acquire() as conn, conn.transaction():
            now = self.a.clock()
            await store.set_password_hash(conn, subject_id, hashed)
            ended = await store.revoke_sessions(conn, subject_id, now, keep=keep)
            await self.a._append(conn, subject_id, PasswordChanged(via="change", sessions_ended=ended))  # fmt: skip

    async def sessions(self, subject_id: str) -> list[Session]:
        rows = await store.sessions(self.pool, subject_id, self.a.clock())
        return [Session(str(r["family_id"]), r["created_at"], r["last_used_at"], bool(r["active"]))
                for r in rows]  # fmt: skip

    async def sign_out_everywhere(self, subject_id: str) -> int:
        """Ends every session of the person (this one too); how many were active."""
        async with self.pool.acquire() as conn, conn.transaction():
            ended = await store.revoke_sessions(conn, subject_id, self.a.clock())
            await self.a._append(conn, subject_id, SignedOutEverywhere(sessions_ended=ended))
        return ended

    async def resend_verification(self, subject_id: str) -> None:
        account = await store.account(self.pool, subject_id)
        if account is None:
            raise Refused("no_such_account", "no such account")
        if account["email_verified"]:
            raise Refused("email_already_verified", "the email address is confirmed already")
        token = new_secret()
        expires = self.a.clock() + timedelta(seconds=self.a.settings.verification_ttl_s)
        async with self.pool.acquire() as conn, conn.transaction():
            await store.insert_verification(conn, digest(token), subject_id, expires)
            await self.a._append(conn, subject_id, VerificationResent(verification_token=token))

    async def change_username(self, subject_id: str, username: str, password: str) -> None:
        """Another username, confirmed with the password. A taken one is refused as taken,
        and nothing more (the refusal says nothing of whose it is)."""
        await self.a.check_password(subject_id, password)
        profile = await self.a.profile(subject_id)
        if profile is None:
            raise Refused("no_such_account", "no such account")
        wanted = normalise_username(username)
        if wanted == normalise_username(profile.username):
            raise Refused("nothing_to_change", "that is your username already")
        sealed = await self.a._seal(subject_id, profile.model_copy(update={"username": wanted}))
        async with self.pool.acquire() as conn, conn.transaction():
            try:
                await store.set_username_index(conn, subject_id, self.a.index(wanted))
            except asyncpg.UniqueViolationError as exc:
                raise Refused("username_taken", "that username is taken") from exc
            await store.save_profile(conn, subject_id, sealed)
            await self.a._append(conn, subject_id, UsernameChanged(username=wanted))
