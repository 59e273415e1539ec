"""The chaos suite's world: its infrastructure, the platform on it, the accounts the load
needs, the load itself, and what is watched during a fault (readiness, answers, metrics)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from ac_events.kafka import dead_letter_topic, make_producer, topic_for
from tests.chaos.infra import OwnInfra
from tests.chaos.load import ITEMS, PASSWORD, Load
from tests.chaos.platform import STAFF_PASSWORD, ChaosPlatform, create_staff
from tests.chaos.scrape import Scraper
from tests.chaos.settle import GROUPS, end_offsets_of

ORG = "org-chaos-a"
CLIENT, AUDITOR = "chaos.client", "chaos.auditor"


@dataclass
class World:
    infra: OwnInfra
    platform: ChaosPlatform
    load: Load
    scraper: Scraper
    auditor: str
    staff: str
    readiness: list[tuple[float, str, int]] = field(default_factory=list)
    """(when, service, `/readyz` status) sampled during faults."""
    planted_findings: set[str] = field(default_factory=set)
    """How the audit findings a fault planted on purpose begin (their detail)."""
    dead_letters: dict[str, int] = field(default_factory=dict)
    """Records in each consumer group's dead-letter topic (read by `poison`)."""
    seen_problems: set[str] = field(default_factory=set)

    async def watch_readiness(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient() as client:
            while not stop.is_set():
                now = time.time()
                for service, status in (await self.platform.readiness(client)).items():
                    self.readiness.append((now, service, status))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.5)

    async def poison(self) -> None:
        """A record no consumer can read, straight into identity's topic (bypassing every
        service); then waits until each group that reads that topic has dead-lettered it."""
        bootstrap = self.infra.env["KAFKA_BOOTSTRAP_SERVERS"]
        producer = make_producer(bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(topic_for("identity"), b"\x00not an event", key=b"poison")
        finally:
            await producer.stop()
        self.planted_findings.add("unreadable record")
        groups = [g for g, sources in GROUPS.items() if "identity" in sources]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for group in groups:
                ends = await end_offsets_of(bootstrap, dead_letter_topic(group))
                self.dead_letters[group] = sum(ends.values())
            if all(self.dead_letters.get(g, 0) >= 1 for g in groups):
                return
            await asyncio.sleep(0.5)

    async def audit(self) -> dict[str, Any]:
        """The audit's report, asked by the auditor signed in afresh (the run outlasts an
        access token: 15 minutes)."""
        async with httpx.AsyncClient(base_url=self.platform.gateway, timeout=120) as gw:
            body = {"username": AUDITOR, "password": PASSWORD}
            signed = await _until(lambda: gw.post("/v1/auth/login", json=body), "auditor")
            self.auditor = str(signed.json()["access_token"])
            r = await gw.get(
                "/v1/audit/checks", headers={"Authorization": f"Bearer {self.auditor}"}
            )
            assert r.status_code == 200, r.text
            report: dict[str, Any] = r.json()
            return report


async def _until(call: Any, what: str, timeout_s: float = 180) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        r: httpx.Response = await call()
        if r.status_code < 300:
            return r
        await asyncio.sleep(0.3)
    raise AssertionError(f"{what}: {r.status_code} {r.text}")


async def accounts(platform: ChaosPlatform) -> tuple[str, str, str, list[str]]:
    """Staff (the first account, by the admin CLI), a client organisation with its user and
    two vacancies, an auditor; returns the staff, client and auditor tokens and the vacancies.
    Waits until consent and matching know the organisation (they learn it from identity's
    topic)."""
    await asyncio.to_thread(create_staff, platform, "chaos.staff")
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as gw:

        async def login(username: str, password: str) -> str:
            body = {"username": username, "password": password}
            r = await _until(lambda: gw.post("/v1/auth/login", json=body), f"login {username}")
            return str(r.json()["access_token"])

        staff = await login("chaos.staff", STAFF_PASSWORD)
        as_staff = {"Authorization": f"Bearer {staff}"}
        org = {"organization_id": ORG, "legal_name": "Chaos K.K.", "address": "1-1 Chiyoda",
               "representative": "Rep", "country": "JP"}  # fmt: skip
        await _until(lambda: gw.post("/v1/organisations", json=org, headers=as_staff), "org")
        for role, name in (("client", CLIENT), ("auditor", AUDITOR)):
            user = {"username": name, "password": PASSWORD, "name": name,
                    "email": f"{name}@example.jp", "role": role,
                    **({"organization_id": ORG} if role == "client" else {})}  # fmt: skip
            await _until(lambda u=user: gw.post("/v1/accounts", json=u, headers=as_staff), name)
        client, auditor = (
            await login(CLIENT, PASSWORD),
            await login(AUDITOR, PASSWORD),
        )
        as_client = {"Authorization": f"Bearer {client}"}
        vacancies = []
        for title in ("Backend engineer (chaos, shared)", "Data engineer (chaos, blocked)"):
            body = {"title": title, "description": "Python APIs.", "skills": ["Python", "SQL"],
                    "location_country": "JP"}  # fmt: skip
            r = await _until(lambda b=body: gw.post("/v1/vacancies", json=b, headers=as_client),
                             "vacancy")  # fmt: skip
            vacancies.append(str(r.json()["vacancy_id"]))
        # Consent knows the organisation once a consent naming it is accepted.
        probe = {"username": "chaos.probe", "password": PASSWORD, "name": "Probe",
                 "email": "probe@example.jp"}  # fmt: skip
        await _until(lambda: gw.post("/v1/users", json=probe), "probe student")
        token = await login("chaos.probe", PASSWORD)
        grant = {"purpose": "client_application", "recipient": ORG, "policy_version": "2013-09",
                 "data_categories": ITEMS}  # fmt: skip
        await _until(lambda: gw.post("/v1/me/consents", json=grant,
                                     headers={"Authorization": f"Bearer {token}"}), "probe consent")  # fmt: skip
    return staff, client, auditor, vacancies
