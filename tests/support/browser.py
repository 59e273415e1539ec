"""The web app in Debian's Chromium, driven by Playwright, as a person uses it.

`browser()` launches `/usr/bin/chromium` (installed by `make chromium`; Playwright's own
browser download is impossible here) with the flags this machine needs. `Eyes` watches
every page of a context: each request's origin (only the app's and the gateway's are
allowed: no third party of any kind), uncaught errors and CSP violations; `look()` runs
axe-core on the page (no serious or critical violation) and saves a full-page screenshot
in Japanese and in English (tests/artifacts/web/).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, ConsoleMessage, Page, Request, async_playwright

from tests.support.chromium import find_chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "web"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]  # fmt: skip
SERIOUS = {"serious", "critical"}


@asynccontextmanager
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=find_chromium(), args=FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Eyes:
    """What a test sees of a page beyond its content: requests, errors, CSP, accessibility."""

    page: Page
    allowed: set[str]
    """Origins the page may talk to (the app's, the gateway's)."""
    elsewhere: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    looked: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("request", self._request)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("console", self._console)
        self._axe = AXE.read_text(encoding="utf-8")

    def _request(self, request: Request) -> None:
        url = request.url
        if not url.startswith(("data:", "blob:")) and origin(url) not in self.allowed:
            self.elsewhere.append(url)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.errors.append(f"CSP: {message.text}")

    async def axe(self, name: str) -> None:
        # evaluate() runs in the page's world through DevTools (no script tag: the CSP holds).
        if not await self.page.evaluate("typeof window.axe !== 'undefined'"):
            await self.page.evaluate(self._axe + "\n;0")
        result: dict[str, Any] = await self.page.evaluate(
            "axe.run(document, {resultTypes: ['violations']})"
        )
        for v in result["violations"]:
            if v.get("impact") in SERIOUS:
                nodes = [n.get("target") for n in v.get("nodes", [])][:3]
                self.violations.append(f"{name}: {v['id']} ({v['impact']}) {v['help']} {nodes}")

    async def language(self, code: str) -> None:
        label = "English" if code == "en" else "日本語"
        button = self.page.get_by_role("button", name=label, exact=True)
        await button.click()
        await self.page.wait_for_function(f"document.documentElement.lang === '{code}'")

    async def look(self, name: str) -> None:
        """axe-core and a screenshot of the page as it is, in Japanese then English (the page
        is left in Japanese)."""
        await self.page.wait_for_load_state("networkidle")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for code in ("ja", "en"):
            await self.language(code)
            await self.axe(f"{name} [{code}]")
            await self.page.screenshot(path=str(ARTIFACTS / f"{name}.{code}.png"), full_page=True)
        await self.language("ja")
        self.looked.append(name)
        assert self.violations == [], "\n".join(self.violations)
        assert self.errors == [], "\n".join(self.errors)

    async def storage(self) -> dict[str, Any]:
        """What page scripts can read of the browser's storage and cookies."""
        text = await self.page.evaluate(
            "JSON.stringify({local: {...localStorage}, session: {...sessionStorage},"
            " cookie: document.cookie})"
        )
        stored: dict[str, Any] = json.loads(text)
        return stored
