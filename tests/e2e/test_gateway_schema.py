"""Schemathesis against the gateway's OpenAPI, with the real services behind it.

Every operation gets generated requests (valid and invalid), as a student
and as staff: no answer may be a 5xx, and every answer must match the
documented schema of its status code.
"""

from __future__ import annotations

import asyncio
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from tests.support.infra import Infra, unique_prefix
from tests.support.net import free_port
from tests.support.platform import platform, serving

PASSWORD = "correct horse battery staple"
EXAMPLES = 12


def fuzz(base_url: str, headers: dict[str, str]) -> list[str]:
    """Runs in a thread (schemathesis calls synchronously); returns the failures."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]

        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def run(case: Any) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(
                base_url=base_url,
                headers=headers,
                checks=[not_a_server_error, response_schema_conformance],
            )

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:600]}")
    if calls < 10 * EXAMPLES:
        failures.append(f"only {calls} requests were generated")
    print(f"schemathesis: {calls} requests")
    return failures


async def test_no_5xx_and_every_answer_matches_the_schema(infra: Infra) -> None:
    async with platform(infra, unique_prefix(), notifications=True) as p:
        await p.accounts.register(
            Profile(username="staff", name="Staff", email="staff@example.jp"), PASSWORD, Role.STAFF
        )
        port = free_port()
        async with serving(p.gateway_app, port):
            base = f"http://127.0.0.1:{port}"
            failures = []
            for username in ("staff", "fuzz.student"):
                if username != "staff":
                    body = {"username": username, "password": PASSWORD, "name": "Fuzz",
                            "email": "fuzz@example.jp"}  # fmt: skip
                    assert (await p.gateway.post("/v1/users", json=body)).status_code == 202
                login = {"username": username, "password": PASSWORD}
                token = (await p.gateway.post("/v1/auth/login", json=login)).json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                failures += await asyncio.to_thread(fuzz, base, headers)
    assert failures == []
