"""[W] The web app in a browser against the real platform, for the browser tests: one platform
(identity, consent, resumes, matching, notifications with a real SMTP server, audit, the desk;
the gateway on a real port), the built app on a port of its own, Debian's Chromium, and the
steps every journey takes (sign in, follow a link, read a status, check nothing leaked)."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF
from playwright.async_api import Browser, Download, Page, expect

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from deploy.local.webbuild import build
from deploy.local.webserver import web_app
from tests.support.browser import Eyes, browser
from tests.support.infra import Infra, unique_prefix
from tests.support.net import free_port
from tests.support.platform import Platform, platform, serving
from tests.support.smtp import CODE

expect.set_options(timeout=15_000)  # the suite runs beside two other workers on two cores
PASSWORD = "correct horse battery staple"
SENSITIVE = "I am a practising Buddhist and volunteer at my temple."
counter = itertools.count()


@dataclass
class World:
    p: Platform
    web: str
    api: str
    chromium: Browser
    staff: dict[str, str]
    tmp: Path

    async def page(self) -> tuple[Page, Eyes]:
        context = await self.chromium.new_context(locale="ja-JP", accept_downloads=True)
        context.set_default_timeout(20_000)
        page = await context.new_page()
        return page, Eyes(page, {self.web, self.api})

    async def post(self, path: str, body: Any, who: dict[str, str]) -> Any:
        return await self.p.until_done("POST", path, body, who)

    async def organisation(self, country: str = "JP") -> tuple[str, str]:
        """A client organisation and its recruiter's username, made by staff over the API."""
        n = next(counter)
        org, name = f"org{n}-{country.lower()}", f"Sakura Works {n} K.K."
        body = {"organization_id": org, "legal_name": name, "address": f"{n} Chiyoda, Tokyo",
                "representative": "Aoi Tanaka", "country": country}  # fmt: skip
        assert (
            await self.p.gateway.post("/v1/organisations", json=body, headers=self.staff)
        ).status_code == 201
        user = {"username": f"rec.{org}", "password": PASSWORD, "name": "Recruiter",
                "email": f"rec@{org}.example", "role": "client", "organization_id": org}  # fmt: skip
        assert (
            await self.p.gateway.post("/v1/accounts", json=user, headers=self.staff)
        ).status_code == 201
        return org, name

    async def student(
        self, username: str, cv: dict[str, Any] | None = None
    ) -> tuple[dict[str, str], str]:
        body = {"username": username, "password": PASSWORD, "name": username.title(),
                "email": f"{username}@example.jp", "school": "Kyoto University"}  # fmt: skip
        assert (await self.p.gateway.post("/v1/users", json=body)).status_code == 202
        who, subject = await self.p.login(username, PASSWORD)
        if cv is not None:
            assert (
                await self.p.gateway.post("/v1/me/resume", json=cv, headers=who)
            ).status_code == 201
        return who, subject


@asynccontextmanager
async def a_world(infra: Infra, tmp: Path) -> AsyncIterator[World]:
    """The platform, the app and Chromium, with one staff account (`World.staff`)."""
    dist = await asyncio.to_thread(build)  # npm ci and the build, when needed
    web_port, api_port = free_port(), free_port()
    web, api = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{api_port}"
    async with (
        platform(infra, unique_prefix(), notifications=True, web_origin=web, gateway_port=api_port) as p,
        serving(web_app(dist, api, erasure_grace_s=0.5), web_port),
        browser() as chromium,
    ):  # fmt: skip
        await p.accounts.register(
            Profile(username="staff", name="Staff", email="staff@example.jp"), PASSWORD, Role.STAFF
        )
        staff, _ = await p.login("staff", PASSWORD)
        yield World(p, web, api, chromium, staff, tmp)


async def sign_in(w: World, page: Page, username: str) -> None:
    await page.goto(f"{w.web}/sign-in")
    await page.get_by_label("ユーザー名").fill(username)
    await page.get_by_label("パスワード").fill(PASSWORD)
    await page.get_by_role("button", name="ログイン").click()
    await expect(page.get_by_role("button", name="ログアウト")).to_be_visible()


async def nav(page: Page, name: str) -> None:
    await page.get_by_role("link", name=name, exact=True).first.click()


async def said(page: Page, text: str) -> None:
    """A status message saying `text` is shown (and read out: role=status)."""
    await expect(page.get_by_role("status").filter(has_text=text).first).to_be_visible()


async def refused(page: Page, text: str) -> None:
    await expect(page.get_by_role("alert").filter(has_text=text).first).to_be_visible()


async def clean(w: World, eyes: Eyes) -> None:
    """Nothing but the app and the gateway was asked for; nothing is readable in storage."""
    assert eyes.elsewhere == []
    assert await eyes.storage() == {"local": {}, "session": {}, "cookie": ""}
    assert eyes.errors == []


def pdf_of(path: Path, *lines: str) -> Path:
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    for line in lines:
        doc.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    path.write_bytes(bytes(doc.output()))
    return path


async def downloaded(download: Download) -> str:
    return await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8")


async def mail_link(w: World, address: str) -> str:
    assert w.p.smtp is not None
    for _ in range(300):
        for mail in w.p.smtp.inbox.to(address):
            found = re.search(r"(http://\S+/verify-email\?token=[\w-]+)", mail.body)
            if found:
                return found.group(1)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no verification email to {address}")


async def mail_code(w: World, address: str, request_id: str) -> str:
    """The step-up code the desk emailed for the request (in the subject of its message)."""
    assert w.p.smtp is not None
    for _ in range(300):
        for mail in w.p.smtp.inbox.to(address):
            found = CODE.search(mail.subject)
            if found and request_id in mail.body:
                return found.group(1)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no code emailed to {address} for {request_id}")


async def mail_about(w: World, address: str, text: str) -> str:
    """The body of the first email to `address` whose body contains `text`."""
    assert w.p.smtp is not None
    for _ in range(300):
        for mail in w.p.smtp.inbox.to(address):
            if text in mail.body:
                return mail.body
        await asyncio.sleep(0.1)
    raise AssertionError(f"no email to {address} saying {text!r}")


async def request_id_of(page: Page) -> str:
    """The id of the request whose page the browser is on (`/me/requests/<id>`)."""
    await page.wait_for_url(re.compile(r"/me/requests/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[1]
