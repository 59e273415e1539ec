"""A steady mix through the gateway, and the ledger of what it saw.

Virtual users each run one student's life after another: register, sign in,
consent to one client and to job alerts, submit a CV, subscribe to an alert,
apply (shared), revise the CV, withdraw, apply again (blocked). A client posts
a vacancy now and then. Every write is an `Op` in the ledger.

A write answered 2xx is `ok`. One answered 5xx, or not at all, is ambiguous: the
student does what a careful client does, and reads back (its consents, CV,
applications, alerts) until the platform answers; an effect found is `adopted`
(done, though the answer was lost), none found means the write is tried again.
So every op ends `ok` or `adopted`, or `none` (answered with an error, and
verified to have left nothing). "Not here yet" answers (a CV not consumed yet)
are waited out. The gateway's every answer is counted by status.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

PASSWORD = "chaos student passphrase"
ITEMS = ["name", "contact", "school", "resume"]
RESOLVE_FOR_S = 240.0


@dataclass
class Op:
    kind: str
    """register, grant, withdraw, cv_submit, cv_revise, alert, apply, vacancy"""
    phase: str
    subject: str | None
    ident: dict[str, Any] = field(default_factory=dict)
    outcome: str = "pending"
    """ok | adopted | none"""
    statuses: list[int] = field(default_factory=list)
    """Every answer to the write (0: none), in order."""
    started: float = 0.0
    ended: float = 0.0


@dataclass
class Answer:
    status: int
    body: Any = None

    @property
    def reason(self) -> str:
        detail = self.body.get("detail") if isinstance(self.body, dict) else None
        return str(detail.get("reason", "")) if isinstance(detail, dict) else ""

    @property
    def not_yet(self) -> bool:
        return self.status in (409, 422) and self.reason.endswith("_not_here_yet")

    @property
    def ambiguous(self) -> bool:
        return self.status == 0 or self.status >= 500


class Unexpected(AssertionError):
    pass


@dataclass
class Ledger:
    ops: list[Op] = field(default_factory=list)
    answers: Counter[int] = field(default_factory=Counter)
    """Every gateway answer of the load, by status (0: no answer)."""
    timeline: list[tuple[float, str, int]] = field(default_factory=list)
    """(when, what, status) of every write attempt."""
    unexpected: list[str] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)


class Gateway:
    def __init__(self, url: str, ledger: Ledger) -> None:
        self.client = httpx.AsyncClient(base_url=url, timeout=20)
        self.ledger = ledger

    async def close(self) -> None:
        await self.client.aclose()

    async def call(self, method: str, path: str, token: str | None = None,
                   body: Any = None) -> Answer:  # fmt: skip
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            r = await self.client.request(method, path, json=body, headers=headers)
        except httpx.HTTPError:
            self.ledger.answers[0] += 1
            return Answer(0)
        self.ledger.answers[r.status_code] += 1
        try:
            payload = r.json() if r.content else None
        except ValueError:
            payload = r.text
        return Answer(r.status_code, payload)

    async def read(self, path: str, token: str) -> Any:
        """A read, tried until the platform answers it (during a fault it may not)."""
        deadline = time.monotonic() + RESOLVE_FOR_S
        while time.monotonic() < deadline:
            a = await self.call("GET", path, token)
            if a.status == 200:
                return a.body
            if a.status == 404:
                return None
            await asyncio.sleep(0.5)
        raise Unexpected(f"GET {path} did not answer within {RESOLVE_FOR_S:.0f} s")


class Load:
    """The load generator: `run(users)` until `stop()`; every op lands in `ledger`."""

    def __init__(self, gateway_url: str, vacancies: list[str], client_token: str,
                 client_username: str) -> None:  # fmt: skip
        self.ledger = Ledger()
        self.gw = Gateway(gateway_url, self.ledger)
        self.vacancies = vacancies
        self.client_token = client_token
        self.client_username = client_username
        self.phase = "setup"
        self._stopping = asyncio.Event()
        self._numbers = itertools.count()
        self._tasks: list[asyncio.Task[None]] = []
        self.prefix = uuid.uuid4().hex[:6]

    def start(self, users: int) -> None:
        self._stopping.clear()
        self._tasks = [asyncio.create_task(self._user()) for _ in range(users)]
        self._tasks.append(asyncio.create_task(self._client()))

    async def stop(self) -> None:
        """Every user finishes the student in hand (so nothing is left unresolved)."""
        self._stopping.set()
        await asyncio.gather(*self._tasks)
        self._tasks = []

    async def close(self) -> None:
        await self.gw.close()

    # ------------------------------------------------------------ one write, to its end

    async def write(
        self,
        op: Op,
        attempt: Callable[[], Awaitable[Answer]],
        done: Callable[[Answer], None],
        resolve: Callable[[], Awaitable[bool]],
        relogin: Callable[[], Awaitable[None]] | None = None,
        taken: str = "",
    ) -> Op:
        """Tries `attempt` until it is `ok`, or `resolve` finds that an ambiguous try took
        effect (`adopted`); `done` reads the ids off a 2xx answer. A retry refused with the
        reason `taken` ("you did that already") means an earlier try took: read it back."""
        op.started = time.time()
        self.ledger.ops.append(op)
        deadline = time.monotonic() + RESOLVE_FOR_S
        while time.monotonic() < deadline:
            a = await attempt()
            op.statuses.append(a.status)
            self.ledger.timeline.append((time.time(), op.kind, a.status))
            if 200 <= a.status < 300:
                done(a)
                op.outcome = "ok"
                break
            if a.not_yet or a.status == 429:
                await asyncio.sleep(0.3)
                continue
            if a.status == 401 and relogin is not None:
                await relogin()
                continue
            if a.ambiguous or (taken and a.reason == taken and len(op.statuses) > 1):
                if await resolve():
                    op.outcome = "adopted"
                    break
                await asyncio.sleep(0.3)
                continue
            self.ledger.unexpected.append(f"{op.kind} answered {a.status}: {a.body}")
            op.outcome = "none"
            break
        else:
            raise Unexpected(f"{op.kind} did not end within {RESOLVE_FOR_S:.0f} s: {op.statuses}")
        op.ended = time.time()
        return op

    # ------------------------------------------------------------ the users

    async def _user(self) -> None:
        while not self._stopping.is_set():
            await Student(self, next(self._numbers)).life()

    async def _client(self) -> None:
        """A vacancy now and then: job alerts go to the students whose alert it matches."""
        while not self._stopping.is_set():
            n = next(self._numbers)
            title = f"Python engineer {self.prefix}-{n} kw{n % 5}"
            body = {"title": title, "description": "APIs.", "skills": ["Python"],
                    "location_country": "JP"}  # fmt: skip
            op = Op("vacancy", self.phase, None, {"title": title})

            def done(a: Answer, op: Op = op) -> None:
                op.ident["vacancy_id"] = a.body["vacancy_id"]

            async def resolve(op: Op = op) -> bool:
                listed = (await self.gw.read("/v1/vacancies", self.client_token) or {}).get(
                    "items", []
                )
                found = [v for v in listed if v["title"] == op.ident["title"]]
                if found:
                    op.ident["vacancy_id"] = found[0]["vacancy_id"]
                return bool(found)

            await self.write(
                op, lambda b=body: self.gw.call("POST", "/v1/vacancies", self.client_token, b),  # type: ignore[misc]
                done, resolve, self._client_login,
            )  # fmt: skip
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 5)

    async def _client_login(self) -> None:
        """The client signed in again (its access token outlived: the run is longer)."""
        body = {"username": self.client_username, "password": PASSWORD}
        a = await self.gw.call("POST", "/v1/auth/login", body=body)
        if a.status == 200:
            self.client_token = a.body["access_token"]


class Student:
    def __init__(self, load: Load, n: int) -> None:
        self.load, self.gw, self.n = load, load.gw, n
        self.username = f"s{load.prefix}.{n}"
        self.subject: str | None = None
        self.token = ""
        self.consents: dict[str, str] = {}
        self.resume: tuple[str, int] | None = None
        self.alerts: set[str] = set()
        self.applied: set[str] = set()

    def op(self, kind: str, **ident: Any) -> Op:
        return Op(kind, self.load.phase, self.subject, dict(ident))

    async def life(self) -> None:
        shared, blocked = self.load.vacancies[0], self.load.vacancies[1]
        await self.register()
        await self.login()
        application = await self.grant("client_application", "org-chaos-a", ITEMS)
        if self.n % 3 == 0:
            await self.grant("cv_and_job_alerts", "*", [])
            await self.alert(f"kw{self.n % 5}")
        await self.cv(revise=False)
        await self.apply(shared)
        await self.cv(revise=True)
        await self.withdraw(application)
        await self.apply(blocked)

    async def register(self) -> None:
        body = {"username": self.username, "password": PASSWORD, "name": f"Student {self.n}",
                "email": f"{self.username}@example.jp", "language": "en"}  # fmt: skip
        op = self.op("register", username=self.username)

        def done(a: Answer) -> None:
            pass  # 202, the same for a free and a taken username: the sign-in names the person

        async def resolve() -> bool:  # a username is taken once: its sign-in says if it was
            a = await self.gw.call("POST", "/v1/auth/login",
                                   body={"username": self.username, "password": PASSWORD})  # fmt: skip
            if a.status != 200:
                return False
            await self.login()
            op.subject = op.ident["subject_id"] = self.subject
            return True

        await self.load.write(op, lambda: self.gw.call("POST", "/v1/users", body=body), done,
                              resolve, taken="username_taken")  # fmt: skip
        if "subject_id" not in op.ident:
            await self.login()
            op.subject = op.ident["subject_id"] = self.subject
        self.load.ledger.subjects.add(str(self.subject))

    async def login(self) -> None:
        body = {"username": self.username, "password": PASSWORD}
        deadline = time.monotonic() + RESOLVE_FOR_S
        while time.monotonic() < deadline:
            a = await self.gw.call("POST", "/v1/auth/login", body=body)
            if a.status == 200:
                self.token = a.body["access_token"]
                self.subject = str(a.body["subject_id"])
                return
            await asyncio.sleep(0.3)
        raise Unexpected(f"{self.username} could not sign in")

    async def grant(self, purpose: str, recipient: str, items: list[str]) -> str:
        body = {"purpose": purpose, "recipient": recipient, "policy_version": "2013-09",
                "data_categories": items}  # fmt: skip
        op = self.op("grant", purpose=purpose, recipient=recipient)

        def done(a: Answer) -> None:
            op.ident["consent_id"] = str(a.body["consent_id"])
            op.ident["event_ids"] = [str(e) for e in a.body["event_ids"]]

        async def resolve() -> bool:
            page = await self.gw.read("/v1/me/consents", self.token)
            known = set(self.consents.values())
            new = [c for c in (page or {}).get("consents", [])
                   if c["purpose"] == purpose and c["recipient"] == recipient
                   and c["consent_id"] not in known]  # fmt: skip
            if new:
                op.ident["consent_id"] = str(new[0]["consent_id"])
            return bool(new)

        await self.load.write(
            op, lambda: self.gw.call("POST", "/v1/me/consents", self.token, body), done, resolve,
            self.login,
        )  # fmt: skip
        self.consents[purpose] = op.ident["consent_id"]
        return str(op.ident["consent_id"])

    async def withdraw(self, consent_id: str) -> None:
        op = self.op("withdraw", consent_id=consent_id)

        def done(a: Answer) -> None:
            op.ident["event_ids"] = [str(e) for e in a.body["event_ids"]]

        async def resolve() -> bool:
            page = await self.gw.read("/v1/me/consents", self.token)
            return any(c["consent_id"] == consent_id and c["status"] == "withdrawn"
                       for c in (page or {}).get("consents", []))  # fmt: skip

        path = f"/v1/me/consents/{consent_id}"
        await self.load.write(op, lambda: self.gw.call("DELETE", path, self.token), done,
                              resolve, self.login)  # fmt: skip

    async def cv(self, *, revise: bool) -> None:
        revision = (self.resume[1] + 1) if (revise and self.resume) else 1
        body = {"skills": ["Python", "SQL"], "free_text": f"Revision {revision} of my CV."}
        op = self.op("cv_revise" if revise else "cv_submit", revision=revision)

        def done(a: Answer) -> None:
            self.resume = (str(a.body["resume_id"]), int(a.body["revision"]))
            op.ident.update(resume_id=self.resume[0], revision=self.resume[1])

        async def resolve() -> bool:
            got = await self.gw.read("/v1/me/resume", self.token)
            if got is None or int(got["revision"]) != revision:
                return False
            self.resume = (str(got["resume_id"]), revision)
            op.ident.update(resume_id=self.resume[0], revision=revision)
            return True

        method = "PUT" if revise else "POST"
        await self.load.write(op, lambda: self.gw.call(method, "/v1/me/resume", self.token, body),
                              done, resolve, self.login, taken="resume_exists")  # fmt: skip

    async def alert(self, keyword: str) -> None:
        body = {"keywords": [keyword], "countries": ["JP"]}
        op = self.op("alert")

        def done(a: Answer) -> None:
            op.ident["subscription_id"] = str(a.body["subscription_id"])

        async def resolve() -> bool:
            listed = (await self.gw.read("/v1/me/alerts", self.token) or {}).get("items", [])
            new = [a["subscription_id"] for a in listed if a["subscription_id"] not in self.alerts]
            if new:
                op.ident["subscription_id"] = str(new[0])
            return bool(new)

        await self.load.write(op, lambda: self.gw.call("POST", "/v1/me/alerts", self.token, body),
                              done, resolve, self.login)  # fmt: skip
        self.alerts.add(op.ident["subscription_id"])

    async def apply(self, vacancy_id: str) -> None:
        assert self.resume is not None
        query = f"?resume_id={self.resume[0]}&resume_revision={self.resume[1]}"
        body = {"vacancy_id": vacancy_id, "data_items": ITEMS}
        op = self.op("apply", vacancy_id=vacancy_id)

        def done(a: Answer) -> None:
            op.ident.update(application_id=str(a.body["application_id"]), status=a.body["status"],
                            disclosure_id=a.body.get("disclosure_id"))  # fmt: skip

        async def resolve() -> bool:
            listed = (await self.gw.read("/v1/me/applications", self.token) or {}).get("items", [])
            new = [a for a in listed
                   if a["vacancy_id"] == vacancy_id and a["application_id"] not in self.applied]  # fmt: skip
            if new:
                op.ident.update(application_id=str(new[0]["application_id"]),
                                status=new[0]["status"])  # fmt: skip
            return bool(new)

        path = f"/v1/me/applications{query}"
        await self.load.write(op, lambda: self.gw.call("POST", path, self.token, body), done,
                              resolve, self.login, taken="already_applied")  # fmt: skip
        self.applied.add(op.ident["application_id"])
