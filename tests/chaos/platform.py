"""The platform the chaos suite breaks: `deploy/local/run.py` (as `make run` runs it) on the
suite's own PostgreSQL and Kafka, a real SMTP server of its own, and a proxy in front of
consent that can slow it down.

- run.py supervises the seven services (a killed one is restarted, as a pod would be);
- the SMTP server is `deploy/local/mailsink.py` in a process of the suite's, so that it
  can be taken away for a minute; every message lands as a file in `mail_dir`;
- matching and notifications reach consent through a `delay_proxy.py` each.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ac_contracts.services import SERVICES as REGISTRY
from tests.chaos.infra import OwnInfra
from tests.support.infra import REPO_ROOT
from tests.support.net import free_block, free_port

START_TIMEOUT_S = 240.0
NAMES = tuple(s.name for s in REGISTRY)
CONSENT_CALLERS = ("matching", "notifications")
"""The services that ask consent for decisions, each through a delay proxy of its own."""
"""The seven services, the gateway first."""
STAFF_PASSWORD = "chaos-staff-passphrase"


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip


def _stop(proc: subprocess.Popen[bytes] | None, sig: signal.Signals = signal.SIGTERM) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


@dataclass
class ChaosPlatform:
    infra: OwnInfra
    work: Path
    base: int = 0
    smtp_port: int = 0
    run: subprocess.Popen[bytes] | None = None
    mail: subprocess.Popen[bytes] | None = None
    proxies: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    """The callers of consent that a slow consent is shown to, each by a proxy of its own."""
    env: dict[str, str] = field(default_factory=dict)

    @property
    def mail_dir(self) -> Path:
        return self.work / "mail"

    @property
    def run_log(self) -> Path:
        return self.work / "run.log"

    @property
    def gateway(self) -> str:
        return self.url("gateway")

    def port(self, service: str) -> int:
        return self.base + NAMES.index(service)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.port(service)}"

    def database_url(self, service: str) -> str:
        return self.infra.env["DATABASE_URL"].rsplit("/", 1)[0] + f"/ac_{service}"

    # ------------------------------------------------------------ start and stop

    def start(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.base = free_block(len(NAMES) + 1)  # the services and the web app
        self.smtp_port = free_port()
        proxy_ports = {caller: free_port() for caller in CONSENT_CALLERS}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AC_", "VIRTUAL_ENV"))}
        self.env = {
            **env,
            **self.infra.env,
            "AC_PORT_BASE": str(self.base),
            "AC_SMTP_PORT": str(free_port()),  # run.py's own sink: nothing is sent to it
            "AC_MAIL_DIR": str(self.work / "unused-mail"),
            "AC_READY_TIMEOUT_S": "200",
            "NOTIFICATIONS_SMTP_PORT": str(self.smtp_port),
            **{
                f"{caller.upper()}_CONSENT_URL": f"http://127.0.0.1:{port}"
                for caller, port in proxy_ports.items()
            },
            # The suite registers hundreds of people from one address and hashes each password.
            "GATEWAY_AUTH_RATE_PER_MINUTE": "100000",
            "IDENTITY_HASH_TIME_COST": "1",
            "IDENTITY_HASH_MEMORY_KIB": "1024",
            # One client posts a vacancy every 5 s for the whole run (the default: 50 an hour).
            "MATCHING_VACANCIES_PER_HOUR": "100000",
            # A message whose sender died is claimed again after its lease; one the relay
            # refused is retried at most this much later (the defaults: 60 s, 300 s).
            "NOTIFICATIONS_SENDING_LEASE_S": "20",
            "NOTIFICATIONS_RETRY_MAX_S": "5",
        }
        self.start_mail()
        proxy_to = f"127.0.0.1:{self.port('consent')}"
        self.proxies = {caller: _spawn(
            [sys.executable, str(Path(__file__).with_name("delay_proxy.py")),
             "--listen", str(port), "--to", proxy_to, "--delay-s", "2"],
            self.env, self.proxy_log(caller),
        ) for caller, port in proxy_ports.items()}  # fmt: skip
        self.run = _spawn(
            [sys.executable, str(REPO_ROOT / "deploy" / "local" / "run.py")],
            self.env,
            self.run_log,
        )
        self.wait_for_line("Active Connector is running", START_TIMEOUT_S)

    def stop(self) -> None:
        _stop(self.run, signal.SIGINT)
        for proxy in self.proxies.values():
            _stop(proxy)
        self.stop_mail()

    def wait_for_line(self, text: str, timeout_s: float, after: int = 0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if text in self.run_log.read_text(errors="replace")[after:]:
                return
            assert self.run is not None and self.run.poll() is None, self.tail()
            time.sleep(0.2)
        raise AssertionError(f"no {text!r} within {timeout_s:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        text = self.run_log.read_text(errors="replace").splitlines()
        return "\n".join(line[:300] for line in text[-lines:])

    def log_size(self) -> int:
        return self.run_log.stat().st_size

    # ------------------------------------------------------------ the SMTP server

    def start_mail(self) -> None:
        self.mail = _spawn(
            [sys.executable, str(REPO_ROOT / "deploy" / "local" / "mailsink.py"),
             "--port", str(self.smtp_port), "--dir", str(self.mail_dir)],
            self.env, self.work / "mail.log",
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.smtp_port), timeout=1),
            ):
                return
            time.sleep(0.1)
        raise AssertionError("the SMTP server did not start")

    def stop_mail(self) -> None:
        _stop(self.mail)
        self.mail = None

    # ------------------------------------------------------------ the services' processes

    def pid(self, service: str) -> int | None:
        """The pid of the service's uvicorn process (run.py's child), if it runs."""
        needle = (
            f"ac_{service}.app:create_app --factory --host 127.0.0.1 --port {self.port(service)} "
        )
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if needle in text:
                return int(cmdline.parent.name)
        return None

    def pids(self) -> dict[str, int | None]:
        return {s: self.pid(s) for s in NAMES}

    def kill(self, service: str) -> int:
        pid = self.pid(service)
        assert pid is not None, f"{service} is not running"
        os.kill(pid, signal.SIGKILL)
        return pid

    def slow_consent(self, slow: bool) -> None:
        for proxy in self.proxies.values():
            proxy.send_signal(signal.SIGUSR1 if slow else signal.SIGUSR2)

    def proxy_log(self, caller: str) -> Path:
        return self.work / f"consent-proxy-{caller}.log"

    def held(self, caller: str) -> int:
        """How many requests of `caller` to consent the last slow spell held back (the
        proxy says it once fast again)."""
        lines = self.proxy_log(caller).read_text().splitlines()
        counts = [int(line.split("=", 1)[1]) for line in lines if line.startswith("held=")]
        return counts[-1] if counts else 0

    async def readiness(self, client: httpx.AsyncClient) -> dict[str, int]:
        """Each service's `/readyz` status now, all asked at once (0: no answer in 5 s)."""

        async def status(service: str) -> int:
            try:
                return (await client.get(f"{self.url(service)}/readyz", timeout=5)).status_code
            except httpx.HTTPError:
                return 0

        return dict(zip(NAMES, await asyncio.gather(*map(status, NAMES)), strict=True))


def create_staff(platform: ChaosPlatform, username: str) -> None:
    """The first staff account, as `make staff-account` makes it (identity's admin CLI)."""
    env = {**platform.env, "AC_ADMIN_PASSWORD": STAFF_PASSWORD}
    done = subprocess.run(
        [sys.executable, "-m", "ac_identity.admin", "create-account", "--role", "staff",
         "--username", username, "--name", "Chaos Staff", "--email", f"{username}@example.jp"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
