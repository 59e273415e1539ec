"""Calls a service makes to its peers: identity (its own token, the keyring) and consent.

`open_peers(settings)` opens one HTTP client per peer and the service's own token
(client credentials), as a `Peers` for the service's wiring; `keyring(settings)`
is the cached keyring behind identity's internal API (`HttpKeyring`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from ac_contracts.errors import Refused
from ac_events.catalogue.base import ERASED, Redacted
from ac_events.crypto import b64d
from ac_events.keyring import CachedKeyring, KeyDestroyed
from ac_platform.auth import ServiceToken
from ac_platform.http import peer_client
from ac_platform.settings import PeerSettings


class ConsentUnavailable(Refused):
    """The consent service could not answer: nothing may flow (fail closed), a 503."""

    def __init__(self, why: str) -> None:
        super().__init__("consent_unavailable", "the consent service is away: try again")
        self.why = why


class ConsentClient:
    """Decisions from the consent service, asked with this service's own token.

    With `on_behalf_of` (a person's bearer token), the decision is made for that
    person's act (e.g. staff ordering a legal disclosure).
    """

    def __init__(self, http: httpx.AsyncClient, token: ServiceToken) -> None:
        self.http = http
        self.token = token

    async def decide(self, ask: dict[str, Any], on_behalf_of: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = await self._post("/decisions", ask, on_behalf_of)
        return body

    async def decide_many(self, asks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        decisions: list[dict[str, Any]] = []
        for start in range(0, len(asks), 1000):
            body = await self._post("/decisions/batch", {"requests": asks[start : start + 1000]})
            decisions.extend(body["decisions"])
        return decisions

    async def _post(self, path: str, json: Any, on_behalf_of: str | None = None) -> Any:
        try:
            headers = await self.token.headers()
            if on_behalf_of:
                headers["X-On-Behalf-Of"] = on_behalf_of
            r = await self.http.post(path, json=json, headers=headers)
        except (httpx.HTTPError, KeyError) as exc:
            raise ConsentUnavailable(type(exc).__name__) from exc
        if r.status_code >= 500 or r.status_code in (401, 403):
            raise ConsentUnavailable(f"consent answered {r.status_code}")
        r.raise_for_status()
        return r.json()


def keyring(settings: PeerSettings) -> CachedKeyring:
    secret = settings.client_secret.get_secret_value()
    return CachedKeyring(HttpKeyring(settings.identity_url, settings.client_id, secret))


@dataclass(frozen=True)
class Peers:
    """A service's clients of identity and consent, and its own token."""

    identity: httpx.AsyncClient
    consent_http: httpx.AsyncClient
    consent: ConsentClient
    service_token: ServiceToken
    """This service's token for the consent service (its audience)."""
    identity_token: ServiceToken
    """This service's token for identity (its own routes for services)."""


@asynccontextmanager
async def open_peers(settings: PeerSettings) -> AsyncIterator[Peers]:
    identity = peer_client(settings.identity_url, timeout_s=10)
    consent = peer_client(settings.consent_url, timeout_s=10)
    secret = settings.client_secret.get_secret_value()
    token = ServiceToken(identity, settings.client_id, secret, audience="consent")
    own = ServiceToken(identity, settings.client_id, secret, audience="identity")
    try:
        yield Peers(identity, consent, ConsentClient(consent, token), token, own)
    finally:
        await identity.aclose()
        await consent.aclose()


class HttpKeyring:
    """Another service's view of identity's keyring, over its internal API (architecture.md §1:
    no service reads identity's database). Authenticates with the service's own
    client credentials; wrap it in a `CachedKeyring`. Only identity makes or
    destroys keys."""

    def __init__(
        self,
        identity_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout_s: float = 5.0,
    ) -> None:
        self._client = peer_client(identity_url, timeout_s=timeout_s)
        self._token = ServiceToken(self._client, client_id, client_secret, audience="identity")

    async def _bearer(self) -> dict[str, str]:
        return await self._token.headers()

    async def key_for(self, subject_id: str) -> bytes | Redacted:
        """The key, or `ERASED`. Identity unreachable or failing is a `ConnectionError` (an
        `OSError`): consumers wait and retry instead of dead-lettering the event."""
        try:
            r = await self._client.get(f"/internal/keys/{subject_id}", headers=await self._bearer())
            if r.status_code in (404, 410):
                return ERASED
            r.raise_for_status()
        except (httpx.TransportError, httpx.HTTPStatusError) as exc:
            raise ConnectionError(
                f"identity's keyring is unavailable ({type(exc).__name__})"
            ) from exc
        return b64d(str(r.json()["key"]))

    async def ensure(self, subject_id: str) -> bytes:
        """The person's existing key (only identity makes keys); `KeyDestroyed` once erased."""
        key = await self.key_for(subject_id)
        if not isinstance(key, bytes):
            raise KeyDestroyed(subject_id)
        return key

    async def destroy(self, subject_id: str) -> None:
        raise PermissionError("only identity destroys data keys")

    async def close(self) -> None:
        await self._client.aclose()
