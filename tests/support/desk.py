"""The desk as a person and staff meet it, through the gateway: people, requests, the codes and
answers emailed (read from the test's SMTP server), the desk's clock moved on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import httpx

from tests.support.platform import PASSWORD as SUPERVISOR_PASSWORD
from tests.support.platform import SUPERVISOR, Platform
from tests.support.smtp import CODE, Received
from tests.support.wait import eventually

PASSWORD = "correct horse battery staple"
T = TypeVar("T")


@dataclass
class Someone:
    subject: str
    headers: dict[str, str]
    email: str


@dataclass
class DeskRig:
    p: Platform
    prefix: str = ""
    kafka: str = ""

    @property
    def gw(self) -> httpx.AsyncClient:
        return self.p.gateway

    async def student(self, username: str, **extra: Any) -> Someone:
        email = f"{username}@example.jp"
        body = {"username": username, "password": PASSWORD, "name": username.title(),
                "email": email, "language": "en", **extra}  # fmt: skip
        r = await self.gw.post("/v1/users", json=body)
        assert r.status_code == 202, r.text
        headers, subject = await self.p.login(username, PASSWORD)
        return Someone(subject, headers, email)

    async def supervisor(self) -> dict[str, str]:
        headers, _ = await self.p.login(SUPERVISOR, SUPERVISOR_PASSWORD)
        return headers

    async def file(self, who: Someone, **body: Any) -> dict[str, Any]:
        r = await self.gw.post("/v1/me/requests", json={"language": "en", **body},
                               headers=who.headers)  # fmt: skip
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out

    async def mails(self, address: str, match: Callable[[Received], bool]) -> Received:
        smtp = self.p.smtp
        assert smtp is not None, "the platform runs without notifications"

        async def found() -> Received | None:
            return next((m for m in smtp.inbox.to(address) if match(m)), None)

        return await eventually(found)

    async def code(self, who: Someone, request_id: str, number: int = 1) -> str:
        """The step-up code emailed for the request (the `number`-th)."""
        sent = await self.mails(
            who.email, lambda m: request_id in m.body and bool(CODE.search(m.subject))
        )
        if number > 1:
            smtp = self.p.smtp
            assert smtp is not None

            async def nth() -> list[Received] | None:
                codes = [m for m in smtp.inbox.to(who.email)
                         if request_id in m.body and CODE.search(m.subject)]  # fmt: skip
                return codes if len(codes) >= number else None

            sent = (await eventually(nth))[number - 1]
        found = CODE.search(sent.subject)
        assert found, sent.subject
        return found.group(1)

    async def verify(self, who: Someone, request_id: str, code: str,
                     password: str = PASSWORD) -> httpx.Response:  # fmt: skip
        return await self.gw.post(f"/v1/me/requests/{request_id}/verification",
                                  json={"password": password, "code": code},
                                  headers=who.headers)  # fmt: skip

    def skip(self, by: timedelta) -> None:
        self.p.desk_clock.skip(by)

    async def deadlines(self) -> int:
        """One look at the due dates now (what the desk's worker does every minute)."""
        from ac_desk.jobs import deadlines

        return await deadlines(self.p.desk.state.deps.desk)
