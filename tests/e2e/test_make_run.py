"""`make run` on a fresh clone, as a new user meets it: the first hour, the demo, restarts.

The clone is a copy of the working tree without `.cache/` or `.venv/` (as a fresh
machine has), so `make run` installs the environment, starts PostgreSQL and Kafka
of its own and the mail sink on a folder that does not exist yet. The ports are
moved (`AC_PORT_BASE`, `AC_SMTP_PORT`) so a developer's own `make run` can keep
running beside it. One `make run` serves every test of this module.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from ac_contracts.services import SERVICES
from tests.support.infra import REPO_ROOT
from tests.support.net import free_block

START_TIMEOUT_S = 420.0
PASSWORD = "first-hour passphrase"


def fresh_clone(into: Path) -> Path:
    """The working tree's files (tracked, and new ones not ignored), and nothing else."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    assert not (into / ".cache").exists()
    return into


@dataclass
class Run:
    clone: Path
    gateway: str
    web: str
    env: dict[str, str]
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def wait_for_line(self, pattern: str, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        seen = 0
        while time.monotonic() < deadline:
            for line in self.lines[seen:]:
                if re.search(pattern, line):
                    return line
            seen = len(self.lines)
            assert self.proc.poll() is None, "make run ended:\n" + "".join(self.lines[-60:])
            time.sleep(0.2)
        raise AssertionError(f"no line /{pattern}/ in:\n" + "".join(self.lines[-60:]))

    def mail_to(self, address: str, timeout_s: float = 60) -> EmailMessage:
        """The first email to `address` the clone's mail sink filed."""
        inbox = self.clone / ".cache" / "mail" / "new"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for path in sorted(inbox.glob("*")) if inbox.exists() else []:
                mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                assert isinstance(mail, EmailMessage)
                if mail["To"] == address:
                    return mail
            time.sleep(0.2)
        log = "".join(line for line in self.lines if "message" in line.lower())[-3000:]
        raise AssertionError(f"no email to {address} in {inbox} within {timeout_s:.0f} s\n{log}")

    def make(self, target: str, timeout_s: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", target], cwd=self.clone, env=self.env, capture_output=True, text=True,
            timeout=timeout_s,
        )  # fmt: skip


def _environment(base: int, smtp: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "VIRTUAL_ENV")}  # fmt: skip
    uv = shutil.which("uv") or str(REPO_ROOT / ".cache" / "uv" / "bin" / "uv")
    env["PATH"] = f"{Path(uv).parent}{os.pathsep}{env.get('PATH', '')}"  # uv, not its cache
    # Sign-ins are limited per client address (20 a minute); this module signs in more often
    # than that from one address, as no single person would.
    return {**env, "AC_PORT_BASE": str(base), "AC_SMTP_PORT": str(smtp),
            "GATEWAY_AUTH_RATE_PER_MINUTE": "1000"}  # fmt: skip


@pytest.fixture(scope="module")
def fresh_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    clone = fresh_clone(tmp_path_factory.mktemp("fresh-clone"))
    base, smtp = free_block(len(SERVICES) + 1), free_block(1)  # the services and the web app
    env = _environment(base, smtp)
    proc = subprocess.Popen(
        ["make", "run"], cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    web = base + max(s.port for s in SERVICES) - SERVICES[0].port + 1  # after the services'
    run = Run(clone, f"http://127.0.0.1:{base}", f"http://127.0.0.1:{web}", env, proc)
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: run.lines.extend(iter(proc.stdout.readline, "")))  # type: ignore[union-attr]
    reader.start()
    try:
        run.wait_for_line(r"Active Connector is running", START_TIMEOUT_S)
        yield run
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        reader.join(10)
        subprocess.run(["make", "infra-down"], cwd=clone, env=env, capture_output=True)


def test_the_web_app_is_installed_built_served_and_announced_first(fresh_run: Run) -> None:
    """[W] `make run` ran `npm ci` and the build on the fresh clone, serves the app with its
    CSP and single-page fallback, lets exactly its origin call the gateway, and prints its
    address first."""
    run = fresh_run
    start = next(i for i, line in enumerate(run.lines) if "Active Connector is running" in line)
    assert f"web app               {run.web}/" in run.lines[start + 1], run.lines[start + 1]
    assert (run.clone / "web" / "node_modules" / ".ac-lock-sha256").exists()
    with httpx.Client(base_url=run.web, timeout=30) as web:
        index = web.get("/")
        assert index.status_code == 200 and '<div id="root">' in index.text
        assert "script-src 'self'" in index.headers["content-security-policy"]
        assert web.get("/me/consents").text == index.text  # the single-page fallback
        assert web.get("/config.json").json()["apiUrl"] == run.gateway
    with httpx.Client(base_url=run.gateway, timeout=30) as gw:
        preflight = {"Origin": run.web, "Access-Control-Request-Method": "PUT"}
        r = gw.options("/v1/me/resume", headers=preflight)
        assert r.headers["access-control-allow-origin"] == run.web
        r = gw.options("/v1/me/resume", headers={**preflight, "Origin": "http://127.0.0.1:1"})
        assert "access-control-allow-origin" not in r.headers


def test_the_first_hour_register_read_the_email_verify_sign_in(fresh_run: Run) -> None:
    run = fresh_run
    assert run.wait_for_line(r"every email the platform sends lands in .*/\.cache/mail/new", 1)
    with httpx.Client(base_url=run.gateway, timeout=30) as gw:
        person = {"username": "newcomer", "password": PASSWORD, "name": "New Comer",
                  "email": "newcomer@example.jp", "language": "en"}  # fmt: skip
        r = gw.post("/v1/users", json=person)
        assert r.status_code == 202, r.text
        mail = run.mail_to("newcomer@example.jp")
        assert mail["Subject"] == "Confirm your email address"
        body = mail.get_body(preferencelist=("plain",))
        assert body is not None
        link = re.search(r"(\S+)/verify-email\?token=([\w-]+)", body.get_content())
        assert link and link.group(1) == run.web, body.get_content()  # a page of the app
        assert httpx.get(link.group(0), timeout=30).status_code == 200
        r = gw.post("/v1/email-verifications", json={"token": link.group(2)})
        assert r.status_code == 200, r.text
        r = gw.post("/v1/auth/login", json={"username": "newcomer", "password": PASSWORD})
        assert r.status_code == 200, r.text
        me = {"Authorization": f"Bearer {r.json()['access_token']}"}
        account = gw.get("/v1/me", headers=me).json()
        assert account["email_verified"] is True
        # The platform starts with the company's policy: no staff action was needed.
        policies = gw.get("/v1/policies", headers=me).json()
        assert policies["versions"] == ["2013-09"]
    listed = run.make("mail")
    assert listed.returncode == 0 and "newcomer@example.jp" in listed.stdout, listed.stderr


def test_make_demo_seeds_once_and_a_demo_student_sees_vacancies(fresh_run: Run) -> None:
    first = fresh_run.make("demo")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "demo.hana" in first.stdout and "12 vacancies posted now" in first.stdout
    again = fresh_run.make("demo")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "0 vacancies posted now" in again.stdout
    with httpx.Client(base_url=fresh_run.gateway, timeout=30) as gw:
        r = gw.post(
            "/v1/auth/login", json={"username": "demo.hana", "password": "demo-only-Passw0rd"}
        )
        assert r.status_code == 200, r.text
        me = {"Authorization": f"Bearer {r.json()['access_token']}"}
        vacancies = gw.get("/v1/vacancies", params={"limit": 100}, headers=me).json()["items"]
        assert len(vacancies) == 12
        assert {v["organization_id"] for v in vacancies} == {"demo-sakura", "demo-berlin"}
        page = gw.get("/v1/me/consents", headers=me).json()
        assert {c["purpose"] for c in page["consents"]} == {
            "vacancy_assessment",
            "cv_and_job_alerts",
            "client_application",
        }
        assert gw.get("/v1/me", headers=me).json()["email_verified"] is True


def _pid_of(service: str, port: int) -> int:
    found = subprocess.run(
        ["pgrep", "-f", f"ac_{service}.app:create_app .*--port {port} "],
        capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    assert len(found) == 1, found
    return int(found[0])


def test_a_killed_service_is_restarted_and_nothing_else_is(fresh_run: Run) -> None:
    """[R] A service that dies comes back by itself; the others keep running."""
    base = int(fresh_run.env["AC_PORT_BASE"])
    consent, identity = _pid_of("consent", base + 4), _pid_of("identity", base + 1)
    os.kill(consent, signal.SIGKILL)
    fresh_run.wait_for_line(r"consent exited \(code -9\): restarting it", 30)
    fresh_run.wait_for_line(r"consent is up again", 90)
    assert _pid_of("consent", base + 4) != consent
    assert _pid_of("identity", base + 1) == identity  # nothing else restarted
    with httpx.Client(base_url=fresh_run.gateway, timeout=30) as gw:
        person = {"username": "restart.check", "password": PASSWORD, "name": "R",
                  "email": "restart@example.jp"}  # fmt: skip
        assert gw.post("/v1/users", json=person).status_code == 202
        login = {"username": "restart.check", "password": PASSWORD}
        token = gw.post("/v1/auth/login", json=login).json()["access_token"]
        r = gw.get("/v1/policies", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["versions"] == ["2013-09"]
