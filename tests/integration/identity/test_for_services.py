"""[D] Identity's routes for other services (the desk's step-up password check, a profile
change, an erasure, a guest's key) and its retention job, over real PostgreSQL and Kafka."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from ac_contracts.identity import Profile
from ac_events.catalogue import (
    ProfileUpdated,
    Role,
    SubjectErased,
    UnverifiedAccountsRemoved,
    UserRegistered,
)
from ac_events.catalogue.streams import retention_stream, user_stream
from ac_identity.app import create_app
from ac_identity.commands import Accounts
from ac_identity.deps import IdentityDeps
from ac_identity.retention import remove_unverified
from ac_identity.settings import IdentitySettings
from tests.support.clock import SkippingClock
from tests.support.infra import Infra
from tests.support.platform import identity_settings

PASSWORD = "correct horse battery staple"
SECRETS = {"desk": "the desk's secret", "resumes": "resumes' secret"}


@dataclass
class Rig:
    app: FastAPI
    http: httpx.AsyncClient
    clock: SkippingClock

    @property
    def deps(self) -> IdentityDeps:
        deps = self.app.state.deps
        assert isinstance(deps, IdentityDeps)
        return deps

    @property
    def accounts(self) -> Accounts:
        return self.deps.accounts

    async def as_service(self, name: str) -> dict[str, str]:
        body = {"grant_type": "client_credentials", "client_id": name,
                "client_secret": SECRETS[name]}  # fmt: skip
        token = (await self.http.post("/oauth/token", json=body)).json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

    async def student(self, username: str, **kw: str) -> str:
        body = {"username": username, "password": PASSWORD, "name": "N",
                "email": f"{username}@example.jp", "gender": "f", **kw}  # fmt: skip
        r = await self.http.post("/users", json=body)
        assert r.status_code == 202, r.text
        login = {"username": username, "password": PASSWORD}
        subject: str = (await self.http.post("/sessions", json=login)).json()["subject_id"]
        return subject


@pytest.fixture
async def rig(infra: Infra, database_url: str, topic_prefix: str) -> AsyncIterator[Rig]:
    clock = SkippingClock()
    settings = identity_settings(
        database_url=database_url, kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        topic_prefix=topic_prefix, environment="test",
        service_credentials=json.dumps(
            {s: IdentitySettings.secret_digest(v) for s, v in SECRETS.items()}),
    )  # fmt: skip
    app = create_app(settings, clock=clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://i") as http,
    ):
        yield Rig(app, http, clock)


async def test_the_desk_checks_a_password_and_five_wrong_ones_are_throttled(rig: Rig) -> None:
    subject = await rig.student("pia", policy_version="2013-09")
    desk = await rig.as_service("desk")
    check = {"subject_id": subject, "password": PASSWORD}
    assert (await rig.http.post("/internal/password-checks", json=check)).status_code == 401
    resumes = await rig.as_service("resumes")
    r = await rig.http.post("/internal/password-checks", json=check, headers=resumes)
    assert r.status_code == 403  # a service not named in `step_up_services`
    assert (await rig.http.post("/internal/password-checks", json=check,
                                headers=desk)).status_code == 204  # fmt: skip
    wrong = {**check, "password": "not it at all"}
    for _ in range(5):
        r = await rig.http.post("/internal/password-checks", json=wrong, headers=desk)
        assert r.status_code == 401 and r.json()["detail"]["reason"] == "reauthentication_failed"
    r = await rig.http.post("/internal/password-checks", json=check, headers=desk)
    assert r.status_code == 429 and r.json()["detail"]["reason"] == "too_many_attempts"
    [registered] = await rig.accounts.events.read_stream(user_stream(subject))
    assert isinstance(registered.payload, UserRegistered)
    assert registered.payload.policy_version == "2013-09"  # the version accepted


async def test_the_desk_changes_and_deletes_fields_and_erases(rig: Rig) -> None:
    subject = await rig.student("quinn", school="Old School")
    desk = await rig.as_service("desk")
    change = {"school": "New School", "remove": ["gender"]}
    r = await rig.http.patch(f"/internal/accounts/{subject}/profile", json=change, headers=desk)
    assert r.status_code == 200, r.text
    assert r.json()["profile"]["school"] == "New School" and r.json()["profile"]["gender"] is None
    updated = (await rig.accounts.events.read_stream(user_stream(subject)))[-1].payload
    assert isinstance(updated, ProfileUpdated)
    assert updated.school == "New School" and updated.removed == ("gender",)
    resumes = await rig.as_service("resumes")
    r = await rig.http.delete(f"/internal/accounts/{subject}", headers=resumes)
    assert r.status_code == 403
    assert (await rig.http.delete(f"/internal/accounts/{subject}", headers=desk)).status_code == 204
    assert (await rig.http.delete(f"/internal/accounts/{subject}", headers=desk)).status_code == 404


async def test_the_desk_makes_and_destroys_only_a_guests_key(rig: Rig) -> None:
    desk = await rig.as_service("desk")
    subject = await rig.student("rio")
    r = await rig.http.delete(f"/internal/keys/{subject}", headers=desk)
    assert r.status_code == 403 and r.json()["detail"]["reason"] == "not_a_guest"
    guest = "guest-0123456789abcdef"
    assert (await rig.http.post(f"/internal/keys/{guest}", headers=desk)).status_code == 204
    assert (await rig.http.get(f"/internal/keys/{guest}", headers=desk)).status_code == 200
    assert (await rig.http.delete(f"/internal/keys/{guest}", headers=desk)).status_code == 204
    assert (await rig.http.get(f"/internal/keys/{guest}", headers=desk)).status_code in (404, 410)


async def test_an_account_never_verified_is_removed_after_thirty_days(rig: Rig) -> None:
    lingering = await rig.student("sam")
    confirmed = await rig.student("tea")
    _, token = await rig.accounts.register(
        Profile(username="tia", name="N", email="tia@example.jp"), PASSWORD, Role.STUDENT)  # fmt: skip
    await rig.accounts.verify_email(token)
    verified = await rig.http.post("/sessions", json={"username": "tia", "password": PASSWORD})
    assert verified.status_code == 200
    await rig.accounts.register(
        Profile(username="client.u", name="C", email="c@example.jp"), PASSWORD, Role.AUDITOR)  # fmt: skip

    assert await remove_unverified(rig.accounts, rig.clock()) == 0  # too young: kept
    rig.clock.skip(timedelta(days=31))
    removed = await remove_unverified(rig.accounts, rig.clock())
    assert removed == 2  # sam and tea: never confirmed
    for subject in (lingering, confirmed):
        events = await rig.accounts.events.read_stream(user_stream(subject))
        assert isinstance(events[-1].payload, SubjectErased)
        assert not isinstance(await rig.deps.keyring.key_for(subject), bytes)
    for kept in ("tia", "client.u"):
        login = {"username": kept, "password": PASSWORD}
        assert (await rig.http.post("/sessions", json=login)).status_code == 200
    runs = [e.payload for e in await rig.accounts.events.read_stream(retention_stream("identity"))]
    assert [r.removed for r in runs if isinstance(r, UnverifiedAccountsRemoved)][-2:] == [0, 2]
    last = runs[-1]
    assert isinstance(last, UnverifiedAccountsRemoved) and last.period_days == 30
    assert abs(last.cutoff - (rig.clock() - timedelta(days=30))) < timedelta(minutes=5)
