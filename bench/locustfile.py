"""The load of a busy term through the gateway, for `bench/platform.py` (locust, headless).

Students browse and open vacancies, read their matches and applications, apply,
and read and change their consents (withdraw one, give it again); clients read
their vacancies' candidates and their provision records; staff read the audit's
figures. Who they are (signed-in tokens, vacancy ids) comes from the JSON file
named by BENCH_PLATFORM_USERS, which the bench writes after seeding.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

WORLD: dict[str, Any] = json.loads(open(os.environ["BENCH_PLATFORM_USERS"]).read())  # noqa: SIM115
_students = itertools.cycle(WORLD["students"])
_clients = itertools.cycle(WORLD["clients"])
THINK = between(0.5, 1.5)
"""A person's pause between two requests (their reading time)."""


class Student(FastHttpUser):
    weight = 8
    wait_time = THINK

    def on_start(self) -> None:
        me = next(_students)
        self.auth = {"Authorization": f"Bearer {me['token']}"}
        self.vacancies: list[str] = list(WORLD["vacancies"])
        random.shuffle(self.vacancies)
        self.client_org: str = me["client"]
        self.policy: str = WORLD["policy_version"]

    @task(10)
    def browse(self) -> None:
        self.client.get("/v1/vacancies", headers=self.auth, name="GET /v1/vacancies")

    @task(5)
    def vacancy(self) -> None:
        vacancy = random.choice(WORLD["vacancies"])
        self.client.get(f"/v1/vacancies/{vacancy}", headers=self.auth,
                        name="GET /v1/vacancies/{vacancy_id}")  # fmt: skip

    @task(5)
    def matches(self) -> None:
        self.client.get("/v1/me/matches", headers=self.auth, name="GET /v1/me/matches")

    @task(2)
    def applications(self) -> None:
        self.client.get("/v1/me/applications", headers=self.auth, name="GET /v1/me/applications")

    @task(1)
    def apply(self) -> None:
        if self.vacancies:  # each vacancy once (a second application is refused)
            body = {"vacancy_id": self.vacancies.pop()}
            self.client.post("/v1/me/applications", json=body, headers=self.auth,
                             name="POST /v1/me/applications")  # fmt: skip

    @task(3)
    def consents(self) -> None:
        self.client.get("/v1/me/consents", headers=self.auth, name="GET /v1/me/consents")

    @task(1)
    def change_consent(self) -> None:
        """Give a consent to another purpose, then withdraw it."""
        body = {"purpose": "promotions_and_events", "recipient": "*", "region": "JP",
                "policy_version": self.policy}  # fmt: skip
        with self.client.post("/v1/me/consents", json=body, headers=self.auth,
                              name="POST /v1/me/consents", catch_response=True) as r:  # fmt: skip
            consent = r.json().get("consent_id") if r.status_code == 201 else None
        if consent:
            self.client.delete(f"/v1/me/consents/{consent}", headers=self.auth,
                               name="DELETE /v1/me/consents/{consent_id}")  # fmt: skip


class Client(FastHttpUser):
    weight = 2
    wait_time = THINK

    def on_start(self) -> None:
        me = next(_clients)
        self.auth = {"Authorization": f"Bearer {me['token']}"}
        self.mine: list[str] = me["vacancies"]

    @task(5)
    def candidates(self) -> None:
        vacancy = random.choice(self.mine)
        self.client.get(f"/v1/vacancies/{vacancy}/candidates", headers=self.auth,
                        name="GET /v1/vacancies/{vacancy_id}/candidates")  # fmt: skip

    @task(2)
    def disclosures(self) -> None:
        self.client.get("/v1/organisation/disclosures", headers=self.auth,
                        name="GET /v1/organisation/disclosures")  # fmt: skip

    @task(2)
    def browse(self) -> None:
        self.client.get("/v1/vacancies", headers=self.auth, name="GET /v1/vacancies")


class Staff(FastHttpUser):
    weight = 1
    wait_time = between(5, 10)

    def on_start(self) -> None:
        self.auth = {"Authorization": f"Bearer {WORLD['staff']}"}

    @task
    def audit(self) -> None:
        self.client.get("/v1/audit/checks", headers=self.auth, name="GET /v1/audit/checks")
