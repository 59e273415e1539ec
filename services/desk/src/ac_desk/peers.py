"""What the desk asks of other services, to carry out at once what can be: identity (the
password check of step-up, a profile change, an erasure, a guest's data key) and consent
(a person's standing consents, a withdrawal).

An unreachable peer, or one that fails, is a `ConnectionError` (the platform answers
503 `unavailable`); a refusal it gives for a reason of its own passes on as `Refused`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from ac_contracts.errors import Refused
from ac_contracts.reasons import REASONS
from ac_platform.auth import ServiceToken


def _refusal(r: httpx.Response) -> Refused | None:
    try:
        body = r.json()
    except ValueError:
        return None
    detail = body.get("detail", {}) if isinstance(body, dict) else {}
    reason = detail.get("reason") if isinstance(detail, dict) else None
    if isinstance(reason, str) and reason in REASONS and r.status_code < 500:
        return Refused(reason, str(detail.get("message", reason)))
    if r.status_code == 422:  # the peer's schema refused the value (its list of fields)
        return Refused("invalid_input", "the peer refused the value for its shape")
    return None


async def _call(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str],
                json: Any = None) -> httpx.Response:  # fmt: skip
    try:
        r = await client.request(method, path, json=json, headers=headers)
    except httpx.HTTPError as exc:
        raise ConnectionError(f"{method} {path}: {type(exc).__name__}") from exc
    if r.status_code >= 500:
        raise ConnectionError(f"{method} {path}: {r.status_code}")
    return r


class Identity:
    def __init__(self, http: httpx.AsyncClient, token: ServiceToken) -> None:
        self.http = http
        self.token = token

    async def _send(self, method: str, path: str, json: Any = None) -> httpx.Response:
        return await _call(self.http, method, path, await self.token.headers(), json)

    async def password_ok(self, subject_id: str, password: str) -> bool:
        r = await self._send("POST", "/internal/password-checks",
                             {"subject_id": subject_id, "password": password})  # fmt: skip
        if r.status_code == 204:
            return True
        refused = _refusal(r)
        if refused is not None and refused.reason == "reauthentication_failed":
            return False
        raise refused or ConnectionError(f"password check: {r.status_code}")

    async def _expect(self, r: httpx.Response, ok: int) -> None:
        if r.status_code != ok:
            raise _refusal(r) or ConnectionError(f"identity answered {r.status_code}")

    async def change_profile(self, subject_id: str, change: dict[str, Any]) -> None:
        r = await self._send("PATCH", f"/internal/accounts/{subject_id}/profile", change)
        await self._expect(r, 200)

    async def erase(self, subject_id: str) -> None:
        await self._expect(await self._send("DELETE", f"/internal/accounts/{subject_id}"), 204)

    async def make_guest_key(self, subject_id: str) -> None:
        await self._expect(await self._send("POST", f"/internal/keys/{subject_id}"), 204)

    async def destroy_guest_key(self, subject_id: str) -> None:
        await self._expect(await self._send("DELETE", f"/internal/keys/{subject_id}"), 204)


class Consents:
    def __init__(self, http: httpx.AsyncClient, token: ServiceToken) -> None:
        self.http = http
        self.token = token

    async def standing(self, subject_id: str) -> list[dict[str, Any]]:
        """The person's active consents (as their page shows them)."""
        r = await _call(self.http, "GET", f"/subjects/{subject_id}/page",
                        await self.token.headers())  # fmt: skip
        if r.status_code != 200:
            raise _refusal(r) or ConnectionError(f"consent answered {r.status_code}")
        return [c for c in r.json()["consents"] if c["status"] != "withdrawn"]

    async def withdraw(self, subject_id: str, consent_id: UUID) -> bool:
        """Withdraws as the desk, which the consent service lets withdraw for a person (the
        person's own token is the desk's alone: one audience each). False if it was not
        theirs."""
        headers = await self.token.headers()
        r = await _call(self.http, "DELETE", f"/subjects/{subject_id}/consents/{consent_id}",
                        headers)  # fmt: skip
        if r.status_code == 404:
            return False
        if r.status_code != 200:
            raise _refusal(r) or ConnectionError(f"consent answered {r.status_code}")
        return True
