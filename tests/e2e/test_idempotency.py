"""[U] Idempotent writes through the gateway: a retry with the same `Idempotency-Key` and body
gets the first answer and writes nothing new; another body with the same key is a 409; a
client that gave up on a slow write and retried gets that write's answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ac_events.kafka import topic_for
from tests.support.infra import Infra, unique_prefix
from tests.support.kafka import read_topic
from tests.support.platform import Platform, platform

PASSWORD = "correct horse battery staple"


@dataclass
class SignedIn:
    p: Platform
    me: dict[str, str]
    subject: str
    prefix: str
    kafka: str

    async def events(self, producer: str, kind: str, **payload: Any) -> int:
        """How many events of `kind` about the person `producer`'s topic holds (with these
        payload values)."""
        records = await read_topic(self.kafka, topic_for(producer, self.prefix))
        return sum(1 for r in records if (e := json.loads(r.value))["type"] == kind
                   and e["subject_id"] == self.subject
                   and all(e["payload"].get(k) == v for k, v in payload.items()))  # fmt: skip


@pytest.fixture(scope="module")
async def signed_in(infra: Infra) -> AsyncIterator[SignedIn]:
    prefix = unique_prefix()
    async with platform(infra, prefix, notifications=True) as p:
        person = {"username": "ida", "password": PASSWORD, "name": "Ida", "email": "ida@example.jp"}
        assert (await p.gateway.post("/v1/users", json=person)).status_code == 202
        headers, subject = await p.login("ida", PASSWORD)
        yield SignedIn(p, headers, subject, prefix, infra.kafka_bootstrap_servers)


async def test_a_retry_with_the_same_key_and_body_makes_one_event(
    signed_in: SignedIn,
) -> None:
    p, me = signed_in.p, signed_in.me
    headers = {**me, "Idempotency-Key": "alert-1"}
    body = {"keywords": ["rust"], "countries": ["JP"]}
    first = await p.gateway.post("/v1/me/alerts", json=body, headers=headers)
    again = await p.gateway.post("/v1/me/alerts", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    alerts = (await p.gateway.get("/v1/me/alerts", headers=me)).json()["items"]
    rust = [a["subscription_id"] for a in alerts if a["keywords"] == ["rust"]]  # (the module's
    assert rust == [first.json()["subscription_id"]]  # other test may have added its own)
    rust_events = await signed_in.events("notifications", "AlertSubscribed", keywords=["rust"])
    assert rust_events == 1  # (the module's other test subscribes to other keywords)

    other = await p.gateway.post("/v1/me/alerts", json={"keywords": ["go"]}, headers=headers)
    assert (other.status_code, other.json()["detail"]["reason"]) == (409, "idempotency_key_reused")


async def test_two_at_once_with_one_key_make_one_write(
    signed_in: SignedIn,
) -> None:
    p, me = signed_in.p, signed_in.me
    headers = {**me, "Idempotency-Key": "alert-together"}
    body = {"keywords": ["kotlin"]}
    answers = await asyncio.gather(
        *(p.gateway.post("/v1/me/alerts", json=body, headers=headers) for _ in range(2))
    )
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    alerts = (await p.gateway.get("/v1/me/alerts", headers=me)).json()["items"]
    assert sum(a["keywords"] == ["kotlin"] for a in alerts) == 1


async def test_a_client_that_gave_up_on_a_cv_write_gets_that_write_on_retry(
    signed_in: SignedIn,
) -> None:
    """The write outlived its client (as one can outlive the gateway's upstream timeout): the
    retry with the same key answers with what the first stored, and stores nothing more."""
    p, me = signed_in.p, signed_in.me
    resumes = p.gateway_app.state.deps.upstreams.urls["resumes"]
    path = f"{resumes}/subjects/{signed_in.subject}/resume"
    headers = {**me, "Idempotency-Key": "cv-1"}
    cv = {"skills": ["Python"], "free_text": "Backend work."}
    impatient = httpx.Timeout(10.0, read=0.001)  # sends the request, gives up on the answer
    async with httpx.AsyncClient(timeout=impatient) as c:
        with pytest.raises(httpx.ReadTimeout):
            await c.post(path, json=cv, headers=headers)
    retried = await p.gateway.post("/v1/me/resume", json=cv, headers=headers)
    assert retried.status_code == 201, retried.text
    assert retried.json()["revision"] == 1
    assert await signed_in.events("resumes", "ResumeSubmitted") == 1
