"""`make run`: every service under one supervisor, each on its own port, and the web app.

Installs and builds the web app when needed (`npm ci`, `npm run build`:
deploy/local/webbuild.py) and serves it on a port of its own (the static server
with the single-page fallback: deploy/local/webserver.py); the gateway lets
exactly that origin call it from a browser, and the emails' links point at it.
Starts the local mail sink and each service with uvicorn as a child process,
waits until each `/readyz` answers 200, and prints where everything is. A
child that exits is started again (as Kubernetes restarts a pod), after a
back-off that doubles from 0.5 s to 10 s; one that exits more than
`MAX_RESTARTS` times within a minute cannot stay up, and then everything
stops. Ctrl-C (or SIGTERM) stops them all.

    python deploy/local/run.py           run until Ctrl-C
    python deploy/local/run.py --check   start all, wait for readiness, stop; exit 0/1
    python deploy/local/run.py --demo    also seed the demo data once everything is ready

Needs DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS (the Makefile provides them).
The services, their ports and who calls whom come from the registry
(`ac_contracts.services`). `AC_PORT_BASE` (default 8000) moves every port by the
same offset: the gateway takes it, the others the ports after it; `AC_SMTP_PORT`
(default 1025) is the mail sink's, `AC_MAIL_DIR` (default `.cache/mail`) its folder.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import importlib.util
import json
import os
import secrets
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ac_contracts.services import SERVICES as REGISTRY
from ac_contracts.services import spec
from ac_platform.http import SERVER_KEEPALIVE_S

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PORT_BASE = spec("gateway").port
PORT_BASE = int(os.environ.get("AC_PORT_BASE", str(DEFAULT_PORT_BASE)))
"""The gateway's port; every service's registry port moves by as much as it does."""
SERVICES = {s.name: PORT_BASE + (s.port - DEFAULT_PORT_BASE) for s in REGISTRY}
"""Each service's local port, in the registry's order (the gateway first)."""
WEB_PORT = PORT_BASE + max(s.port for s in REGISTRY) - DEFAULT_PORT_BASE + 1
"""The web app's port: the one after the services' (8008 by default)."""
WEB_URL = f"http://127.0.0.1:{WEB_PORT}"
SMTP_PORT = int(os.environ.get("AC_SMTP_PORT", "1025"))
MAIL_DIR = Path(os.environ.get("AC_MAIL_DIR", str(ROOT / ".cache" / "mail")))
READY_TIMEOUT_S = float(os.environ.get("AC_READY_TIMEOUT_S", "90"))
"""How long a service may take to answer `/readyz` with 200 (a busy machine starts slowly)."""
MAX_RESTARTS = 5
"""Restarts of one child within `RESTART_WINDOW_S` before it is judged unable to stay up."""
RESTART_WINDOW_S = 60.0
CLIENT_SERVICES = tuple(s.name for s in REGISTRY if s.identity_client)
"""Services that call identity (keyring, their own token) with client credentials."""


def url(service: str) -> str:
    return f"http://127.0.0.1:{SERVICES[service]}"


def say(text: str) -> None:
    print(f"[run] {text}", file=sys.stderr, flush=True)


def existing() -> dict[str, int]:
    """The services whose app factory is installed."""
    return {
        s: p for s, p in SERVICES.items() if importlib.util.find_spec(f"ac_{s}.app") is not None
    }


def local_env() -> dict[str, str]:
    """What the services need from each other locally: where each finds the others, the
    JWKS URL, and each calling service's client credentials at identity (a fresh secret
    per service and run)."""
    secret = {s: secrets.token_urlsafe(24) for s in CLIENT_SERVICES}
    digests = {s: hashlib.sha256(v.encode()).hexdigest() for s, v in secret.items()}
    peers = {
        f"{caller.name.upper()}_{peer.upper()}_URL": url(peer)
        for caller in REGISTRY
        for peer in caller.calls
    }
    return {
        "AUTH_JWKS_URL": f"{url('identity')}/.well-known/jwks.json",
        "IDENTITY_SERVICE_CREDENTIALS": json.dumps(digests),
        **{f"{s.upper()}_CLIENT_SECRET": v for s, v in secret.items()},
        "NOTIFICATIONS_SMTP_PORT": str(SMTP_PORT),
        "NOTIFICATIONS_PUBLIC_URL": WEB_URL,
        "GATEWAY_CORS_ORIGINS": json.dumps([WEB_URL]),
        **peers,
        **os.environ,
    }


def service_command(service: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", f"ac_{service}.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        "--timeout-keep-alive", str(SERVER_KEEPALIVE_S), "--no-proxy-headers",
    ]  # fmt: skip


def web_command(dist: Path) -> list[str]:
    grace = os.environ.get("IDENTITY_ERASURE_GRACE_S", "60")
    return [
        sys.executable, str(ROOT / "deploy" / "local" / "webserver.py"), "--dist", str(dist),
        "--port", str(WEB_PORT), "--api-url", url("gateway"), "--erasure-grace-s", grace,
    ]  # fmt: skip


def mail_command() -> list[str]:
    return [
        sys.executable, str(ROOT / "deploy" / "local" / "mailsink.py"),
        "--port", str(SMTP_PORT), "--dir", str(MAIL_DIR),
    ]  # fmt: skip


@dataclass
class Child:
    """One supervised process: how to start it, and when it last had to be restarted."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int | None = None
    proc: asyncio.subprocess.Process | None = None
    restarts: deque[float] = field(default_factory=deque)

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(*self.command, env=self.env)

    def restart_delay(self, now: float) -> float | None:
        """The back-off before the next start, or None if it restarted too often."""
        while self.restarts and self.restarts[0] < now - RESTART_WINDOW_S:
            self.restarts.popleft()
        if len(self.restarts) >= MAX_RESTARTS:
            return None
        self.restarts.append(now)
        return float(min(10.0, 0.5 * 2 ** (len(self.restarts) - 1)))


async def wait_ready(client: httpx.AsyncClient, child: Child) -> None:
    """Until the child's `/readyz` answers 200 (or it exits, or the time is up)."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        assert child.proc is not None
        if child.proc.returncode is not None:
            raise RuntimeError(
                f"{child.name} exited with code {child.proc.returncode} while starting"
            )
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get(f"http://127.0.0.1:{child.port}/readyz")).status_code == 200:
                return
        await asyncio.sleep(0.25)
    raise RuntimeError(f"{child.name} was not ready within {READY_TIMEOUT_S:.0f} s")


async def stop_all(children: Sequence[Child]) -> None:
    running = [c for c in children if c.proc is not None and c.proc.returncode is None]
    for child in running:
        assert child.proc is not None
        child.proc.terminate()
    for child in running:
        assert child.proc is not None
        try:
            await asyncio.wait_for(child.proc.wait(), 15)
        except TimeoutError:
            say(f"{child.name} did not stop in 15 s: killing it")
            child.proc.kill()
            await child.proc.wait()


async def keep_up(child: Child, client: httpx.AsyncClient, give_up: Callable[[str], None]) -> None:
    """Restarts `child` whenever it exits, until it exits too often (`give_up`)."""
    while True:
        assert child.proc is not None
        code = await child.proc.wait()
        delay = child.restart_delay(time.monotonic())
        if delay is None:
            give_up(f"{child.name} exited {MAX_RESTARTS} times within a minute: it cannot stay up")
            return
        say(f"{child.name} exited (code {code}): restarting it in {delay:.1f} s")
        await asyncio.sleep(delay)
        await child.start()
        if child.port is not None:
            try:
                await wait_ready(client, child)
            except RuntimeError as exc:
                say(str(exc))
                continue
        say(f"{child.name} is up again")


def announce(services: dict[str, int]) -> None:
    print("\nActive Connector is running:", flush=True)
    print(f"  web app               {WEB_URL}/   (students, clients, staff, auditors; ja/en)")
    if "gateway" in services:
        print(f"  gateway (public API)  {url('gateway')}/   docs: {url('gateway')}/docs")
    for s, p in services.items():
        print(f"  {s:<14} docs: http://127.0.0.1:{p}/docs   ready: http://127.0.0.1:{p}/readyz")
    print(f"  mail           every email the platform sends lands in {MAIL_DIR}/new")
    print(f"                 (SMTP on 127.0.0.1:{SMTP_PORT}; list them: make mail)")
    print("  demo data      make demo (a staff account, clients, vacancies and students)")
    print("  first staff    make staff-account", flush=True)


async def build_web() -> Path | None:
    """`npm ci` and the build of the web app, each only when needed (webbuild.py)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "deploy" / "local" / "webbuild.py"),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        say("the web app could not be installed or built (see above)")
        return None
    return Path(out.decode().strip())


async def seed_demo() -> int:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "deploy" / "local" / "demo.py"), "--gateway", url("gateway")
    )
    return await proc.wait()


async def main(check: bool, demo: bool) -> int:
    services = existing()
    env = local_env()
    dist = await build_web()
    if dist is None:
        return 1
    children = [Child("mail", mail_command(), env), Child("web", web_command(dist), env, WEB_PORT)]
    children += [Child(s, service_command(s, p), env, p) for s, p in services.items()]
    for child in children:
        await child.start()
    async with httpx.AsyncClient(timeout=2.0) as client:
        try:
            await asyncio.gather(*(wait_ready(client, c) for c in children if c.port))
        except RuntimeError as exc:
            say(str(exc))
            await stop_all(children)
            return 1
        announce(services)
        if check:
            say("--check: every service is ready; stopping")
            await stop_all(children)
            return 0
        if demo and await seed_demo() != 0:
            say("the demo data could not be seeded (see above); the platform keeps running")
        print("\nCtrl-C stops them all.", flush=True)
        stopping = asyncio.Event()
        failure: list[str] = []

        def give_up(why: str) -> None:
            failure.append(why)
            stopping.set()

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopping.set)
        keepers = [asyncio.create_task(keep_up(c, client, give_up)) for c in children]
        await stopping.wait()
        for task in keepers:
            task.cancel()
        await asyncio.gather(*keepers, return_exceptions=True)
    if failure:
        say(f"{failure[0]}: stopping the rest")
    await stop_all(children)
    return 1 if failure else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="start, wait for readiness, stop")
    parser.add_argument("--demo", action="store_true", help="seed the demo data when ready")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.check, args.demo)))
