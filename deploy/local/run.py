"""`make run`: every service under one supervisor, each on its own port.

Starts each service that exists with uvicorn as a child process, waits until
each `/readyz` answers 200, prints where the gateway and each `/docs` are,
and stops them all on Ctrl-C (or when one dies, saying which).

    python deploy/local/run.py           run until Ctrl-C
    python deploy/local/run.py --check   start all, wait for readiness, stop; exit 0/1

Needs DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS (the Makefile provides them).
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
from pathlib import Path

import httpx

from ac_events.http import SERVER_KEEPALIVE_S

SERVICES = {
    "gateway": 8000,
    "identity": 8001,
    "resumes": 8002,
    "matching": 8003,
    "consent": 8004,
    "notifications": 8005,
    "audit": 8006,
}
READY_TIMEOUT_S = 90.0


def existing() -> dict[str, int]:
    """The services whose app factory is installed."""
    return {
        s: p for s, p in SERVICES.items() if importlib.util.find_spec(f"ac_{s}.app") is not None
    }


JWKS_URL = f"http://127.0.0.1:{SERVICES['identity']}/.well-known/jwks.json"
"""Where identity publishes its token signing keys; every service verifies tokens with them."""
SMTP_PORT = 1025
MAIL_DIR = Path(".cache/mail")


CLIENT_SERVICES = ("notifications", "resumes", "matching", "audit")
"""Services that call identity (keyring, their own token) with client credentials."""


def local_env() -> dict[str, str]:
    """What the services need from each other locally: the JWKS URL, and each calling
    service's client credentials at identity (a fresh secret per service and run)."""
    secret = {s: secrets.token_urlsafe(24) for s in CLIENT_SERVICES}
    digests = {s: hashlib.sha256(v.encode()).hexdigest() for s, v in secret.items()}
    return {
        "AUTH_JWKS_URL": JWKS_URL,
        "IDENTITY_SERVICE_CREDENTIALS": json.dumps(digests),
        **{f"{s.upper()}_CLIENT_SECRET": v for s, v in secret.items()},
        "NOTIFICATIONS_SMTP_PORT": str(SMTP_PORT),
        **os.environ,
    }


async def start_mail_catcher() -> asyncio.subprocess.Process:
    """A local SMTP server that files every email under .cache/mail (a maildir)."""
    await asyncio.to_thread(MAIL_DIR.mkdir, parents=True, exist_ok=True)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{SMTP_PORT}",
        "-c", "aiosmtpd.handlers.Mailbox", str(MAIL_DIR),
    )  # fmt: skip


async def start(service: str, port: int, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", f"ac_{service}.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        "--timeout-keep-alive", str(SERVER_KEEPALIVE_S), env=env,
    )  # fmt: skip


async def wait_ready(
    client: httpx.AsyncClient, service: str, port: int, proc: asyncio.subprocess.Process
) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            raise RuntimeError(f"{service} exited with code {proc.returncode} while starting")
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                return
        await asyncio.sleep(0.25)
    raise RuntimeError(f"{service} was not ready within {READY_TIMEOUT_S:.0f} s")


async def stop_all(procs: dict[str, asyncio.subprocess.Process]) -> None:
    for proc in procs.values():
        if proc.returncode is None:
            proc.terminate()
    for name, proc in procs.items():
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            print(f"[run] {name} did not stop in 15 s: killing it", file=sys.stderr)
            proc.kill()
            await proc.wait()


async def main(check: bool) -> int:
    services = existing()
    env = local_env()
    procs = {"mail": await start_mail_catcher()}
    procs |= {s: await start(s, p, env) for s, p in services.items()}
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            await asyncio.gather(*(wait_ready(client, s, p, procs[s]) for s, p in services.items()))
    except RuntimeError as exc:
        print(f"[run] {exc}", file=sys.stderr)
        await stop_all(procs)
        return 1
    print("\nActive Connector is running:")
    if "gateway" in services:
        print(f"  gateway (public API)  http://127.0.0.1:{services['gateway']}/")
    for s, p in services.items():
        print(f"  {s:<14} docs: http://127.0.0.1:{p}/docs   ready: http://127.0.0.1:{p}/readyz")
    print(f"  mail           every email lands in {MAIL_DIR}/new (SMTP on 127.0.0.1:{SMTP_PORT})")
    print("  first staff account: make staff-account")
    if check:
        print("[run] --check: every service is ready; stopping", file=sys.stderr)
        await stop_all(procs)
        return 0

    print("\nCtrl-C stops them all.")
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    waits = {asyncio.create_task(p.wait()): s for s, p in procs.items()}
    stop_task = asyncio.create_task(stopping.wait())
    done, _ = await asyncio.wait([stop_task, *waits], return_when=asyncio.FIRST_COMPLETED)
    code = 0
    for task in done:
        if task in waits:
            print(
                f"[run] {waits[task]} exited (code {task.result()}): stopping the rest",
                file=sys.stderr,
            )
            code = 1
    await stop_all(procs)
    stop_task.cancel()
    return code


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="start, wait for readiness, stop")
    sys.exit(asyncio.run(main(parser.parse_args().check)))
