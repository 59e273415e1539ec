"""Who is calling: access tokens verified by every service, not only the gateway.

Identity issues short-lived access tokens signed with an asymmetric key
(EdDSA) and publishes the public keys as a JWKS. Every service verifies the
bearer token itself (defence in depth: a request that bypasses the gateway is
still authenticated) and authorises each route from the token's claims:

- `sub`: the caller's pseudonymous id (a person's `subject_id`, or a service's name);
- `role`: `student`, `client`, `staff`, `auditor`, or `service` (another service);
- `org`: a client user's organisation id;
- `aud`: the one service the token is for (issue 14, item 13). A person's own token is for
  the gateway alone (`PERSON_AUDIENCE`); the gateway exchanges it at identity, per call,
  for a token of a minute for the service it calls (RFC 8693 token exchange, `act` naming
  the gateway); a service's own token (client credentials) names the peer it calls. A
  token caught by one service is worth nothing at another;
- `sid`: a person's session (refresh-token family), which identity checks at each exchange.

Only the algorithms in `ALGORITHMS` are accepted, so `alg: none` and a token
MAC-signed with the public key are refused. Keys are looked up by `kid`; an
unknown `kid` refetches the JWKS (one fetch for every request waiting on it,
at most once per `refetch_after_s`), so rotated keys are picked up. A verified token is remembered (by its exact
text, until it expires) because services call with the same token many times.

A service acting for a person (e.g. matching making a legal disclosure that
staff ordered) forwards the person's token it was called with in `X-On-Behalf-Of`; the
service it calls accepts it only if it was issued for the caller (`aud` = the calling
service's name).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
import jwt
from fastapi import HTTPException, Request

from ac_contracts.errors import Refused

ALGORITHMS = ("EdDSA", "ES256")
ISSUER = "ac-identity"
PERSON_AUDIENCE = "gateway"
"""The audience of a person's own access token: the gateway, and nothing else."""


class Caller(StrEnum):
    STUDENT = "student"
    CLIENT = "client"
    STAFF = "staff"
    AUDITOR = "auditor"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    role: Caller
    organization_id: str | None = None
    expires_at: float = 0.0
    session: str | None = None
    """A person's session (the refresh-token family `sid`)."""
    actor: str | None = None
    """Who obtained this token for the caller (`act.sub`: the gateway, for an exchanged one)."""


class Unauthenticated(Exception):
    """The token is missing, malformed, expired, or not signed by a known key."""


class TokenVerifier:
    """Verifies access tokens against a JWKS given inline or fetched from identity."""

    def __init__(
        self,
        *,
        jwks: dict[str, Any] | None = None,
        jwks_url: str | None = None,
        audience: str,
        issuer: str = ISSUER,
        leeway_s: float = 5.0,
        refetch_after_s: float = 1.0,
        remember: int = 10_000,
    ) -> None:
        if jwks is None and jwks_url is None:
            raise ValueError("a TokenVerifier needs a JWKS or its URL")
        self.jwks_url = jwks_url
        self.issuer = issuer
        self.audience = audience
        self.leeway_s = leeway_s
        self.refetch_after_s = refetch_after_s
        self._keys: dict[str, jwt.PyJWK] = _parse_jwks(jwks) if jwks is not None else {}
        self._fetched_at = -1e9
        self._fetching = asyncio.Lock()
        self._generation = 0
        self._remember = remember
        self._verified: OrderedDict[tuple[str, str], Principal] = OrderedDict()

    async def verify(self, token: str, audience: str | None = None) -> Principal:
        """The caller a token names, if it is valid and for `audience` (default: this
        service's own)."""
        audience = audience or self.audience
        known = self._verified.get((audience, token))
        if known is not None and known.expires_at > time.time():
            return known
        principal = await self._verify(token, audience)
        self._verified[(audience, token)] = principal
        if len(self._verified) > self._remember:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str, audience: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("malformed token") from exc
        if header.get("alg") not in ALGORITHMS:
            raise Unauthenticated("token algorithm not accepted")
        key = await self._key(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm_name] if key.algorithm_name else list(ALGORITHMS),
                audience=audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("token expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("token not valid") from exc
        try:
            role = Caller(str(claims.get("role")))
        except ValueError as exc:
            raise Unauthenticated("token names no known role") from exc
        org, sid, act = claims.get("org"), claims.get("sid"), claims.get("act")
        actor = act.get("sub") if isinstance(act, dict) else None
        return Principal(str(claims["sub"]), role, str(org) if org else None,
                         float(claims["exp"]), str(sid) if sid else None,
                         str(actor) if actor else None)  # fmt: skip

    def has_keys(self) -> bool:
        return bool(self._keys)

    async def prefetch(self) -> bool:
        """Loads the key set now if none is loaded (at start, and from `/readyz` until it
        works); a failure is not an error here, the keys are just not there yet."""
        if not self._keys and self.jwks_url:
            with contextlib.suppress(Unauthenticated):
                await self._refetch(force=True)
        return self.has_keys()

    async def _refetch(self, *, force: bool = False, seen: int | None = None) -> None:
        """Fetches the key set once for all the requests waiting on it: a request that saw
        generation `seen` of the keys returns at once if a newer one came meanwhile. Fetches
        are at least `refetch_after_s` apart: one that comes sooner waits for its turn (a flood
        of unknown key ids costs one fetch per interval, and a rotated key is still found)."""
        async with self._fetching:
            if seen is not None and seen != self._generation:
                return  # fetched meanwhile, by the request this one waited behind
            if not force:
                wait = self._fetched_at + self.refetch_after_s - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            assert self.jwks_url is not None
            try:
                async with httpx.AsyncClient(timeout=3.0) as client:
                    response = await client.get(self.jwks_url)
                    response.raise_for_status()
                self._keys = _parse_jwks(response.json())
            except (httpx.HTTPError, ValueError) as exc:
                raise Unauthenticated("signing keys unavailable") from exc
            self._fetched_at = time.monotonic()
            self._generation += 1

    async def _key(self, kid: str) -> jwt.PyJWK:
        key = self._keys.get(kid)
        if key is None and self.jwks_url:
            await self._refetch(seen=self._generation)
            key = self._keys.get(kid)
        if key is None:
            raise Unauthenticated("token signed by an unknown key")
        return key


def _parse_jwks(jwks: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    for entry in jwks.get("keys", []):
        if entry.get("use", "sig") != "sig" or "d" in entry:
            continue  # never accept a private key as a verification key
        keys[str(entry.get("kid", ""))] = jwt.PyJWK(entry)
    return keys


def verifier_from(jwks: str | None, jwks_url: str | None, audience: str) -> TokenVerifier | None:
    """The verifier a service's settings describe (inline JSON wins), or None."""
    if jwks:
        return TokenVerifier(jwks=json.loads(jwks), audience=audience)
    if jwks_url:
        return TokenVerifier(jwks_url=jwks_url, audience=audience)
    return None


def bearer_token(value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _principal(
    request: Request, header: str, audience: str | None = None
) -> Principal | None:
    token = bearer_token(request.headers.get(header))
    if token is None:
        return None
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise Refused("auth_unconfigured", "no signing keys")
    try:
        return await verifier.verify(token, audience)
    except Unauthenticated as exc:
        raise HTTPException(
            401, {"reason": "unauthenticated", "message": str(exc)}, {"WWW-Authenticate": "Bearer"}
        ) from exc


def require(*roles: Caller) -> Callable[[Request], Awaitable[Principal]]:
    """A route dependency: a valid bearer token of one of `roles` (401, else 403)."""

    async def dependency(request: Request) -> Principal:
        principal = await _principal(request, "authorization")
        if principal is None:
            raise HTTPException(
                401,
                {"reason": "unauthenticated", "message": "a bearer token is required"},
                {"WWW-Authenticate": "Bearer"},
            )
        if principal.role not in roles:
            raise Refused("forbidden", f"role {principal.role} may not do this")
        return principal

    return dependency


async def caller(request: Request) -> Principal | None:
    """The caller of a route that needs no token, if it sent a valid one (else None)."""
    try:
        return await _principal(request, "authorization")
    except (HTTPException, Refused):
        return None


async def acting_for(request: Request, caller: Principal) -> Principal | None:
    """The person a service's call acts for (`X-On-Behalf-Of: Bearer <their token>`): a token
    the person's own call gave that service (its audience is the calling service)."""
    if caller.role != Caller.SERVICE:
        return None
    return await _principal(request, "x-on-behalf-of", audience=caller.subject)


class ServiceToken:
    """A service's own access token from identity (client credentials) for one peer
    (`audience`), renewed before it expires."""

    def __init__(
        self, client: httpx.AsyncClient, client_id: str, client_secret: str, audience: str
    ) -> None:
        self._client = client
        self._credentials = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "audience": audience,
        }
        self._token: str | None = None
        self._renew_at = 0.0

    async def headers(self) -> dict[str, str]:
        if self._token is None or time.monotonic() > self._renew_at:
            r = await self._client.post("/oauth/token", json=self._credentials)
            r.raise_for_status()
            body = r.json()
            self._token = str(body["access_token"])
            self._renew_at = time.monotonic() + float(body["expires_in"]) * 0.8
        return {"Authorization": f"Bearer {self._token}"}
