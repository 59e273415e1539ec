"""Schemathesis against the gateway's OpenAPI, with the real services behind it.

Every operation gets generated requests (valid and invalid), as a student and as staff:
no answer may be a 5xx; every answer's status must be documented, and its body must match
the documented schema of that status; and a request the schema calls valid is never
refused for its shape (a `422` whose detail is the list of fields at fault). A valid
request may still break a rule of the service: that is a refusal with its registered
`reason` (an unknown id in the body, sensitive data in a CV, ...), which is documented.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from tests.support.infra import Infra, unique_prefix
from tests.support.net import free_port
from tests.support.platform import platform, serving

PASSWORD = "correct horse battery staple"
EXAMPLES = 12
ENDS_THE_SESSION = {"DELETE /v1/me/sessions"}


def fuzz(base_url: str, headers: dict[str, str]) -> list[str]:
    """Runs in a thread (schemathesis calls synchronously); returns the failures."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    calls = 0
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    # Signing out everywhere ends the caller's token: it goes last, the others fuzzed first.
    operations.sort(key=lambda o: o.label in ENDS_THE_SESSION)
    for operation in operations:

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
            response = case.call(base_url=base_url, headers=headers)
            case.validate_response(
                response, checks=[not_a_server_error, status_code_conformance,
                                  response_schema_conformance],
            )  # fmt: skip
            if case.meta is not None and case.meta.generation.mode.is_positive:
                detail = _detail(response.text)
                shape_refused = (response.status_code == 422 and isinstance(detail, list)
                                 and not all(_undeliverable_address(e) for e in detail))  # fmt: skip
                assert not shape_refused, f"valid request rejected: {response.text[:300]}"

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:600]}")
    if calls < 10 * EXAMPLES:
        failures.append(f"only {calls} requests were generated")
    print(f"schemathesis: {calls} requests")
    return failures


def _undeliverable_address(error: Any) -> bool:
    """The one mismatch left between the schema and the service, on purpose: JSON Schema's
    `format: email` admits a reserved domain (`x@y.test`), and the service refuses it, since
    no mail can reach it (email-validator's special-use names, RFC 6761)."""
    return (
        isinstance(error, dict)
        and error.get("loc", [None])[-1] == "email"
        and ("special-use or reserved" in str(error.get("msg", "")))
    )


def _detail(text: str) -> Any:
    try:
        return json.loads(text).get("detail")
    except (ValueError, AttributeError):
        return None


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


def test_every_protected_operation_names_its_bearer_security() -> None:
    from ac_gateway.app import create_app
    from ac_gateway.routes import ROUTES

    spec = create_app().openapi()
    assert spec["components"]["securitySchemes"]["bearer"]["bearerFormat"] == "JWT"
    for route in ROUTES:
        operation = spec["paths"][route.path][route.method.lower()]
        assert (operation.get("security") == [{"bearer": []}]) == (not route.public), route.key
        codes = " ".join(r["description"] for r in operation["responses"].values())
        assert "`unauthenticated`" in codes or route.public, route.key


async def test_options_answers_allow_and_a_number_is_not_a_time(infra: Infra) -> None:
    async with platform(infra, unique_prefix()) as p:
        r = await p.gateway.options("/v1/me/consents/0f8fad5b-d9cb-469f-a165-70867728950e")
        assert (r.status_code, r.headers["allow"]) == (204, "DELETE, OPTIONS")
        r = await p.gateway.options("/v1/me/resume")
        assert r.headers["allow"] == "DELETE, GET, OPTIONS, POST, PUT"
        assert (await p.gateway.options("/v1/nothing-here")).status_code in (404, 405)
        await p.accounts.register(
            Profile(username="staff", name="Staff", email="staff@example.jp"), PASSWORD, Role.STAFF
        )
        staff, _ = await p.login("staff", PASSWORD)
        for when in ("0.5", "1700000000", "2026-04-01T00:00:00"):  # a number, or no offset
            r = await p.gateway.get("/v1/audit/checks", params={"until": when}, headers=staff)
            assert r.status_code == 422, (when, r.text)
        r = await p.gateway.get("/v1/audit/checks", params={"until": "2026-04-01T00:00:00Z"},
                                headers=staff)  # fmt: skip
        assert r.status_code == 200, r.text
