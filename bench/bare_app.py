"""The ceiling of `bench/consent.py`: a bare FastAPI endpoint on the same server setup.

It takes the same request body as `POST /decisions` (parsed by the same
pydantic model) and answers a constant: what FastAPI and uvicorn cost on
this machine, before authentication, the database and the rules.
"""

from __future__ import annotations

from fastapi import FastAPI, Response

from ac_contracts.consent import BatchBody, DecisionBody

ANSWER = b'{"decision":"allow","reason":"consent_granted","consent_event_ids":["00000000-0000-4000-8000-000000000001"],"position":{"subject_version":1,"policies_version":1}}'
"""An allow citing one consent (a use without the consent it rests on is refused: [E])."""


POLICIES = b'{"versions":["v1"],"significant_since":{},"transfers":[]}'
TOKEN = b'{"access_token":"bench","token_type":"Bearer","expires_in":60,"issued_token_type":"urn:ietf:params:oauth:token-type:access_token"}'


def create_app() -> FastAPI:
    app = FastAPI()

    @app.post("/decisions")
    async def decide(body: DecisionBody) -> Response:
        return Response(ANSWER, media_type="application/json")

    @app.post("/decisions/batch")
    async def decide_batch(body: BatchBody) -> Response:
        return Response(b'{"decisions":[' + b",".join([ANSWER] * len(body.requests)) + b"]}")

    @app.get("/policies")
    async def policies() -> Response:
        """The upstream of `bench/servers.py`'s gateway runs: a constant `PolicyState`."""
        return Response(POLICIES, media_type="application/json")

    @app.post("/oauth/token")
    async def token() -> Response:
        """Identity's token endpoint for `bench/servers.py`'s gateway: the exchange it makes
        before each upstream call ([H] #14), answered with a constant token."""
        return Response(TOKEN, media_type="application/json")

    return app
