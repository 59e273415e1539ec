"""Open a page in headless Chromium and say what went wrong with it.

A small Chrome DevTools Protocol client over `websockets`: Chromium is started
with `--remote-debugging-port=0`, the port it chose is read from the
`DevToolsActivePort` file in its own throwaway profile, and one page target is
driven over the browser's WebSocket (flat sessions, `Target.attachToTarget`).

`render_page` reports, as one line each:

- console messages of level error or warning, and failed `console.assert`s
  (`Runtime.consoleAPICalled`);
- uncaught exceptions (`Runtime.exceptionThrown`);
- the browser's own errors and warnings (`Log.entryAdded`): CSP violations,
  failed loads, interventions, deprecations;
- Content-Security-Policy issues (`Audits.issueAdded`);
- failed resource loads and HTTP errors (`Network.loadingFailed`,
  `Network.responseReceived` with a status of 400 or more);
- a navigation that fails, or a renderer that crashes.

Chromium is installed by `deploy/local/chromium.sh`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "run deploy/local/chromium.sh (on Debian: apt-get install -y --no-install-recommends "
    "chromium), or set CHROMIUM to the path of a Chromium or Chrome binary"
)

Json = dict[str, Any]


class ChromiumNotFound(RuntimeError):
    pass


class ChromiumError(RuntimeError):
    pass


def find_chromium() -> str:
    """The Chromium binary: `$CHROMIUM`, else the first of `BROWSERS` on PATH."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise ChromiumNotFound(f"CHROMIUM={configured!r} is not an executable; {INSTALL_HINT}")
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found is not None:
            return found
    raise ChromiumNotFound(
        f"no Chromium found on PATH (tried {', '.join(BROWSERS)}); {INSTALL_HINT}"
    )


async def render_page(
    html_path: Path,
    screenshot: Path,
    *,
    time_limit: float = 60.0,
    settle: float = 0.3,
    width: int = 1280,
    height: int = 900,
) -> list[str]:
    """Load `html_path` in headless Chromium, save a full-page PNG at `screenshot`,
    and return the problems seen (empty when the page is clean).

    `settle` seconds after the load event are left for late messages (a CSP
    report, a timer's error). The browser is killed whatever happens; past
    `time_limit` seconds in all, `TimeoutError` is raised.
    """
    binary = find_chromium()
    url = (await asyncio.to_thread(html_path.resolve)).as_uri()
    with tempfile.TemporaryDirectory(prefix="ac-chromium-") as tmp:
        profile = Path(tmp) / "profile"
        log_path = Path(tmp) / "chromium.log"
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--mute-audio",
                "--hide-scrollbars",
                "--force-color-profile=srgb",
                f"--window-size={width},{height}",
                "about:blank",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
            try:
                async with asyncio.timeout(time_limit):
                    endpoint = await _devtools_endpoint(profile, process, log_path)
                    return await _inspect(endpoint, url, screenshot, settle, width, height)
            finally:
                await _stop(process)


async def _devtools_endpoint(profile: Path, process: asyncio.subprocess.Process, log: Path) -> str:
    active = profile / "DevToolsActivePort"
    while True:
        if process.returncode is not None:
            raise ChromiumError(
                f"Chromium exited with status {process.returncode} before DevTools was up:\n"
                + _tail(log)
            )
        with contextlib.suppress(FileNotFoundError):
            lines = active.read_text().splitlines()
            if len(lines) >= 2 and lines[0].strip().isdigit():
                return f"ws://127.0.0.1:{lines[0].strip()}{lines[1].strip()}"
        await asyncio.sleep(0.05)


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


async def _stop(process: asyncio.subprocess.Process) -> None:
    """End Chromium and every process it started (its own process group)."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 5)
    # Helpers (zygote, renderer) may outlive the browser for a moment.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.returncode is None:
        await process.wait()


class _Cdp:
    """Commands and events over one DevTools WebSocket (flat sessions)."""

    def __init__(self, ws: ClientConnection, on_event: Callable[[str, Json], None]) -> None:
        self._ws = ws
        self._on_event = on_event
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[Json]] = {}
        self._waiters: list[tuple[str, asyncio.Future[Json]]] = []
        self._reader = asyncio.create_task(self._read())

    async def send(
        self, method: str, params: Json | None = None, session: str | None = None
    ) -> Json:
        self._next_id += 1
        message: Json = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        reply: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = reply
        await self._ws.send(json.dumps(message))
        return await reply

    def expect(self, method: str) -> asyncio.Future[Json]:
        """A future for the next event `method`; ask before causing it."""
        future: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self._waiters.append((method, future))
        return future

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader

    async def _read(self) -> None:
        error: BaseException = ChromiumError("the DevTools connection closed")
        try:
            async for raw in self._ws:
                message: Json = json.loads(raw)
                if "id" in message:
                    reply = self._pending.pop(message["id"], None)
                    if reply is None or reply.done():
                        continue
                    if "error" in message:
                        reply.set_exception(ChromiumError(f"CDP error: {message['error']}"))
                    else:
                        reply.set_result(message.get("result", {}))
                    continue
                method, params = message.get("method", ""), message.get("params", {})
                self._on_event(method, params)
                for waiter in [w for w in self._waiters if w[0] == method]:
                    self._waiters.remove(waiter)
                    if not waiter[1].done():
                        waiter[1].set_result(params)
        except Exception as exc:
            error = exc
        for future in [*self._pending.values(), *(f for _, f in self._waiters)]:
            if not future.done():
                future.set_exception(error)


def _remote_value(arg: Json) -> str:
    if "value" in arg:
        value = arg["value"]
        return value if isinstance(value, str) else json.dumps(value)
    return str(arg.get("description") or arg.get("unserializableValue") or arg.get("type", "?"))


def _where(url: str | None, line: int | None) -> str:
    if not url:
        return ""
    return f" ({url}:{line + 1})" if line is not None else f" ({url})"


class _Problems:
    """Turns DevTools events into one line per problem."""

    CONSOLE_LEVELS = frozenset({"error", "warning", "assert"})
    LOG_LEVELS = frozenset({"error", "warning"})

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._urls: dict[str, str] = {}

    def add(self, line: str) -> None:
        if line not in self.lines:
            self.lines.append(line)

    def __call__(self, method: str, params: Json) -> None:
        if method == "Runtime.consoleAPICalled" and params.get("type") in self.CONSOLE_LEVELS:
            text = " ".join(_remote_value(a) for a in params.get("args", []))
            frames = (params.get("stackTrace") or {}).get("callFrames") or [{}]
            where = _where(frames[0].get("url"), frames[0].get("lineNumber"))
            self.add(f"console.{params['type']}: {text}{where}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            exception = details.get("exception") or {}
            text = exception.get("description") or details.get("text", "exception")
            where = _where(details.get("url"), details.get("lineNumber"))
            self.add(f"uncaught exception: {text}{where}")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") in self.LOG_LEVELS:
                where = _where(entry.get("url"), entry.get("lineNumber"))
                self.add(
                    f"{entry.get('source', 'log')} {entry['level']}: {entry.get('text')}{where}"
                )
        elif method == "Audits.issueAdded":
            issue = params.get("issue", {})
            if issue.get("code") == "ContentSecurityPolicyIssue":
                csp = issue.get("details", {}).get("contentSecurityPolicyIssueDetails", {})
                blocked = csp.get("blockedURL") or csp.get("contentSecurityPolicyViolationType")
                source = csp.get("sourceCodeLocation") or {}
                where = _where(source.get("url"), source.get("lineNumber"))
                self.add(f"CSP violation: {csp.get('violatedDirective')} blocked {blocked}{where}")
        elif method == "Network.requestWillBeSent":
            request = params.get("request", {})
            self._urls[params.get("requestId", "")] = request.get("url", "?")
        elif method == "Network.loadingFailed":
            url = self._urls.get(params.get("requestId", ""), "?")
            reason = params.get("blockedReason") or params.get("errorText") or "failed"
            self.add(f"failed load: {url} ({reason})")
        elif method == "Network.responseReceived":
            response = params.get("response", {})
            if int(response.get("status") or 0) >= 400:
                self.add(f"failed load: {response.get('url')} (HTTP {response.get('status')})")
        elif method == "Inspector.targetCrashed":
            self.add("the page crashed")


def _save(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def _inspect(
    endpoint: str, url: str, screenshot: Path, settle: float, width: int, height: int
) -> list[str]:
    problems = _Problems()
    async with connect(
        endpoint, proxy=None, max_size=None, compression=None, ping_interval=None
    ) as ws:
        cdp = _Cdp(ws, problems)
        try:
            target = await cdp.send("Target.createTarget", {"url": "about:blank"})
            attached = await cdp.send(
                "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
            )
            session = attached["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network", "Audits", "Inspector"):
                await cdp.send(f"{domain}.enable", session=session)
            await cdp.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            loaded = cdp.expect("Page.loadEventFired")
            navigated = await cdp.send("Page.navigate", {"url": url}, session=session)
            if navigated.get("errorText"):
                problems.add(f"navigation failed: {url} ({navigated['errorText']})")
                loaded.cancel()
            else:
                await loaded
                await asyncio.sleep(settle)
            metrics = await cdp.send("Page.getLayoutMetrics", session=session)
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = await cdp.send(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {
                        "x": 0,
                        "y": 0,
                        "width": max(size["width"], 1),
                        "height": max(size["height"], 1),
                        "scale": 1,
                    },
                },
                session=session,
            )
            await asyncio.to_thread(_save, screenshot, base64.b64decode(shot["data"]))
            with contextlib.suppress(Exception):
                await asyncio.wait_for(cdp.send("Browser.close"), 2)
        finally:
            await cdp.close()
    return problems.lines
