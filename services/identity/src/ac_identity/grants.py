"""`POST /oauth/token`: a service's own token for one peer (client credentials), and the
gateway's exchange of a person's token for one call to one service (RFC 8693).

Each token names one audience (issue 14, item 13): a person's own token is for the gateway
only; a service's own is for a peer the registry lets it call with one
(`ServiceSpec.tokens_for`); an exchanged one is for the service the gateway is calling, for
a minute at most, with `act` naming the gateway. An exchange is also where a person's
ended session stops at once (issue 14, item 8): identity refuses it when the account is
gone (erased) or the session (refresh-token family) was revoked, so not one more call
reaches a service with that person's token.
"""

from __future__ import annotations

import hmac
import time
import uuid

import asyncpg

from ac_contracts.errors import Refused
from ac_contracts.identity import ClientCredentials, ServiceTokenOut, TokenExchange
from ac_contracts.services import spec
from ac_identity import store
from ac_identity.settings import IdentitySettings
from ac_identity.tokens import Signer
from ac_platform.auth import Caller, TokenVerifier, Unauthenticated


class Grants:
    def __init__(
        self, settings: IdentitySettings, signer: Signer, pool: asyncpg.Pool,
        persons: TokenVerifier,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.signer = signer
        self.pool = pool
        self.persons = persons
        """Verifies people's own tokens (audience: the gateway)."""

    def _authenticate(self, client_id: str, secret: str) -> None:
        expected = self.settings.service_secret_digests().get(client_id, "")
        given = self.settings.secret_digest(secret)
        if not expected or not hmac.compare_digest(expected, given):
            raise Refused("invalid_client", "unknown service or secret")

    def client_credentials(self, body: ClientCredentials) -> ServiceTokenOut:
        self._authenticate(body.client_id, body.client_secret)
        if body.audience not in self.settings.audiences_of(body.client_id):
            raise Refused("audience_not_allowed", f"no token of yours for {body.audience!r}")
        ttl = self.settings.access_token_ttl_s
        token = self.signer.access_token(
            body.client_id, Caller.SERVICE.value, ttl, audience=body.audience
        )
        return ServiceTokenOut(access_token=token, expires_in=ttl)

    async def exchange(self, body: TokenExchange) -> ServiceTokenOut:
        self._authenticate(body.client_id, body.client_secret)
        if body.client_id not in self.settings.exchangers:
            raise Refused("forbidden", "this service may not exchange people's tokens")
        try:
            spec(body.audience)
        except KeyError as exc:
            raise Refused("audience_not_allowed", f"no service {body.audience!r}") from exc
        try:
            person = await self.persons.verify(body.subject_token)
        except Unauthenticated as exc:
            raise Refused("session_ended", str(exc)) from exc
        if person.role == Caller.SERVICE:
            raise Refused("session_ended", "only a person's token is exchanged")
        account = await store.account(self.pool, person.subject)
        if account is None or account["role"] != person.role.value:
            raise Refused("session_ended", "this account has ended")
        if person.session is None or not await store.family_active(
            self.pool, uuid.UUID(person.session)
        ):
            raise Refused("session_ended", "this session has ended: sign in again")
        ttl = int(min(self.settings.exchanged_token_ttl_s, person.expires_at - time.time()))
        if ttl < 1:
            raise Refused("session_ended", "the token has expired")
        token = self.signer.access_token(
            person.subject, person.role.value, ttl, person.organization_id,
            audience=body.audience, session=person.session, actor=body.client_id,
        )  # fmt: skip
        return ServiceTokenOut(access_token=token, expires_in=ttl)
