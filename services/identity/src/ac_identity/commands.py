"""Identity's commands: register, log in, rotate refresh tokens, correct a profile, erase.

Each command's state change and its events commit in one transaction (the
event store is the outbox), appended with the stream's expected version: a new
account's stream must not exist yet, a change to it is appended at the version
read in the same transaction. Personal fields travel only encrypted under the
person's data key, in events and in the `profiles` table alike. The rules are
in `domain.py`; time comes from the injected `clock`; passwords (argon2 in worker threads,
and the back-off of failures) are `passwords.py`'s.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import orjson

from ac_contracts.errors import Refused
from ac_contracts.identity import Profile, normalise_username, password_problems
from ac_events.catalogue import (
    ClientOrganizationRegistered,
    ErasureRequested,
    Event,
    ProfileUpdated,
    RegistrationAttempted,
    Role,
    SubjectErased,
    UserRegistered,
)
from ac_events.catalogue.streams import organisation_stream, user_stream
from ac_events.crypto import decrypt, encrypt
from ac_events.keyring import Keyring
from ac_events.store import NO_STREAM, EventStore
from ac_identity import store
from ac_identity.domain import RefreshOutcome, RefreshToken, refresh_outcome
from ac_identity.passwords import Passwords
from ac_identity.settings import IdentitySettings
from ac_identity.tokens import Signer, digest, new_secret
from ac_platform.auth import PERSON_AUDIENCE
from ac_platform.clock import Clock, utc_now


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    subject_id: str
    role: str


def _aad(subject_id: str) -> bytes:
    return f"ac-identity:profile:{subject_id}".encode()


class Accounts:
    def __init__(
        self,
        settings: IdentitySettings,
        events: EventStore,
        keyring: Keyring,
        signer: Signer,
        index_key: bytes,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.passwords = Passwords(settings, events.pool, index_key, clock)
        self.events = events
        self.keyring = keyring
        self.signer = signer
        self.pool = events.pool
        self._index_key = index_key

    def index(self, username: str) -> str:
        return hmac.new(
            self._index_key, normalise_username(username).encode(), "sha256"
        ).hexdigest()

    async def _append(self, conn: asyncpg.Connection, subject_id: str, event: Event) -> None:
        """An event of the person's account stream, at the version read in this transaction
        (a concurrent change to the account fails the whole transaction)."""
        stream = user_stream(subject_id)
        version = await self.events.stream_version(stream, conn)
        await self.events.append(stream, version, [event], subject_id=subject_id, conn=conn)

    # -- profiles ---------------------------------------------------------

    async def _seal(self, subject_id: str, profile: Profile) -> bytes:
        key = await self.keyring.ensure(subject_id)
        return encrypt(key, orjson.dumps(profile.model_dump(mode="json")), _aad(subject_id))

    async def profile(self, subject_id: str) -> Profile | None:
        sealed = await store.profile(self.pool, subject_id)
        key = await self.keyring.key_for(subject_id)
        if sealed is None or not isinstance(key, bytes):
            return None
        return Profile.model_validate_json(decrypt(key, sealed, _aad(subject_id)))

    # -- registration -----------------------------------------------------

    async def register(
        self,
        profile: Profile,
        password: str,
        role: Role,
        organization_id: str | None = None,
        policy_version: str | None = None,
    ) -> tuple[str, str]:
        """A new account; returns (subject id, email verification token)."""
        problems = password_problems(password, profile.username)
        if problems:
            raise Refused("weak_password", f"password: {'; '.join(problems)}")
        if (role == Role.CLIENT) != (organization_id is not None):
            raise Refused("organisation_for_clients_only",
                          "a client account names its organisation, and only a client's does")  # fmt: skip
        if (
            organization_id is not None
            and await store.organisation(self.pool, organization_id) is None
        ):
            raise Refused("unknown_organisation", f"no organisation {organization_id!r}")
        subject_id = uuid.uuid4().hex
        password_hash = await self.passwords.hash(password)
        sealed = await self._seal(subject_id, profile)
        verification = new_secret()
        expires = self.clock() + timedelta(seconds=self.settings.verification_ttl_s)
        event = UserRegistered(
            role=role,
            username=normalise_username(profile.username),
            name=profile.name,
            email=profile.email,
            gender=profile.gender,
            school=profile.school,
            language=profile.language,
            organization_id=organization_id,
            verification_token=verification,
            policy_version=policy_version,
        )
        async with self.pool.acquire() as conn, conn.transaction():
            try:
                await store.insert_account(
                    conn,
                    subject_id,
                    role.value,
                    self.index(profile.username),
                    password_hash,
                    organization_id,
                )
            except asyncpg.UniqueViolationError as exc:
                raise Refused("username_taken", "that username is taken") from exc
            await store.save_profile(conn, subject_id, sealed)
            await store.insert_verification(conn, digest(verification), subject_id, expires)
            await self.events.append(
                user_stream(subject_id), NO_STREAM, [event], subject_id=subject_id, conn=conn
            )
        return subject_id, verification

    async def register_student(
        self, profile: Profile, password: str, policy_version: str | None = None
    ) -> None:
        """A student's registration, answered the same whether the username is free or
        taken: a free one becomes an account (and its verification email); for a taken one,
        its owner is told by email (`RegistrationAttempted`). Both hash the password: the
        two take the same time."""
        owner = await store.account_by_index(self.pool, self.index(profile.username))
        if owner is None:
            try:
                await self.register(profile, password, Role.STUDENT, policy_version=policy_version)
                return
            except Refused as exc:  # registered meanwhile, by someone else
                if exc.reason != "username_taken":
                    raise
            owner = await store.account_by_index(self.pool, self.index(profile.username))
        else:
            await self.passwords.hash(password)
        if owner is not None:
            async with self.pool.acquire() as conn, conn.transaction():
                await self._append(conn, owner["subject_id"], RegistrationAttempted())

    async def verify_email(self, token: str) -> str:
        subject = await store.use_verification(self.pool, digest(token), self.clock())
        if subject is None:
            raise Refused("invalid_verification", "unknown, used or expired verification link")
        return subject

    async def update_profile(
        self, subject_id: str, changes: dict[str, object], removed: tuple[str, ...] = ()
    ) -> Profile:
        """Corrects or adds to the profile; `removed` deletes optional fields."""
        current = await self.profile(subject_id)
        if current is None:
            raise Refused("no_such_account", "no such account")
        updated = current.model_copy(update={**changes, **dict.fromkeys(removed)})
        Profile.model_validate(updated.model_dump())
        sealed = await self._seal(subject_id, updated)
        event = ProfileUpdated.model_validate({**changes, "removed": removed})
        async with self.pool.acquire() as conn, conn.transaction():
            await store.save_profile(conn, subject_id, sealed)
            await self._append(conn, subject_id, event)
        return updated

    # -- tokens -----------------------------------------------------------

    async def login(self, username: str, password: str, source: str) -> Tokens:
        """Same answer, and about the same time, for an unknown user as for a wrong password;
        failures slow the next attempts from `source` (a client address), never lock."""
        index = self.index(username)
        await self.passwords.check_login(index, source)
        account = await store.account_by_index(self.pool, index)
        hashed = account["password_hash"] if account else None
        ok = await self.passwords.verify(hashed, password)  # the dummy hash when unknown
        if account is None or not ok:
            await self.passwords.login_failed(index, source)
            raise Refused("invalid_credentials", "wrong username or password")
        await self.passwords.login_succeeded(index, source)
        if self.passwords.needs_rehash(account["password_hash"]):
            rehashed = await self.passwords.hash(password)
            await store.set_password_hash(self.pool, account["subject_id"], rehashed)
        return await self._issue(account, uuid.uuid4())

    async def check_password(self, subject_id: str, password: str) -> None:
        """Re-authentication: the signed-in person's password again (slowed after failures)."""
        account = await store.account(self.pool, subject_id)
        hashed = account["password_hash"] if account else None
        await self.passwords.reauthenticate(subject_id, hashed, password)

    async def _issue(self, account: asyncpg.Record, family: uuid.UUID) -> Tokens:
        ttl = self.settings.access_token_ttl_s
        access = self.signer.access_token(
            account["subject_id"], account["role"], ttl, account["organization_id"],
            audience=PERSON_AUDIENCE, session=str(family),
        )  # fmt: skip
        refresh = new_secret()
        now = self.clock()
        expires = now + timedelta(seconds=self.settings.refresh_token_ttl_s)
        await store.insert_refresh(
            self.pool, digest(refresh), family, account["subject_id"], expires, now
        )
        return Tokens(access, refresh, ttl, account["subject_id"], account["role"])

    async def refresh(self, refresh_token: str) -> Tokens:
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            row = await store.refresh_for_update(conn, digest(refresh_token))
            if row is None:
                raise Refused("invalid_refresh_token", "unknown refresh token")
            outcome = refresh_outcome(
                RefreshToken(row["expires_at"], row["used_at"], row["revoked_at"]), now
            )
            if outcome is RefreshOutcome.REUSED:
                await store.revoke_family(conn, row["family_id"], now)
            elif outcome is RefreshOutcome.ROTATE:
                await store.mark_refresh_used(conn, row["token_hash"], now)
        if outcome is RefreshOutcome.REUSED:
            raise Refused("refresh_token_reused", "this refresh token was used before: signed out")
        if outcome is not RefreshOutcome.ROTATE:
            raise Refused(f"refresh_token_{outcome.value}", f"the refresh token is {outcome.value}")
        account = await store.account(self.pool, row["subject_id"])
        if account is None:
            raise Refused("invalid_refresh_token", "no such account")
        return await self._issue(account, row["family_id"])

    async def logout(self, subject_id: str, refresh_token: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            row = await store.refresh_for_update(conn, digest(refresh_token))
            if row is not None and row["subject_id"] == subject_id:
                await store.revoke_family(conn, row["family_id"], self.clock())

    # -- organisations ----------------------------------------------------

    async def register_organisation(self, org: ClientOrganizationRegistered) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            if not await store.insert_organisation(conn, org.model_dump()):
                raise Refused("organisation_exists", "that organisation id is taken")
            await self.events.append(
                organisation_stream(org.organization_id), NO_STREAM, [org], conn=conn
            )

    # -- erasure ----------------------------------------------------------

    async def erase(self, subject_id: str) -> None:
        """The account ends now: the account, profile and tokens are deleted and
        `ErasureRequested` is published. The data key (and with it every copy of the
        person's personal data) is destroyed by `erase_due` once the grace passes."""
        now = self.clock()
        due = now + timedelta(seconds=self.settings.erasure_grace_s)
        async with self.pool.acquire() as conn, conn.transaction():
            await store.delete_account(conn, subject_id)
            await store.request_erasure(conn, subject_id, now, due)
            await self._append(conn, subject_id, ErasureRequested())

    async def erase_due(self) -> int:
        """Carries out every erasure whose grace has passed: destroys the data key,
        records the erasure, publishes `SubjectErased`. Returns how many."""
        done = 0
        while True:
            async with self.pool.acquire() as conn, conn.transaction():
                row = await store.due_erasure(conn, self.clock())
                if row is None:
                    return done
                subject_id = row["subject_id"]
                await self.keyring.destroy(subject_id)
                await store.record_erasure(conn, subject_id, row["requested_at"], self.clock())
                await store.finish_erasure_request(conn, subject_id)
                await self._append(
                    conn, subject_id, SubjectErased(services_confirmed=("identity",))
                )
            done += 1
