"""Consent decisions over HTTP under a real load generator (wrk), beside their ceiling.

One run, on one machine:
1. a fresh consent database with 100,000 people and 1,000,000 consents (10
   each: client applications to several of 100 organisations in Japan, and
   internal purposes), COPYed into the view's tables (the path of events into
   the view is measured by `bench/pipeline.py`);
2. the consent service (uvicorn, one worker, with its relay and consumers
   running) and, as the ceiling, a bare FastAPI endpoint taking the same body
   (`bench/bare_app.py`), on the same uvicorn settings;
3. wrk (one thread) against each: maximum rate of `POST /decisions` with
   random people and recipients; then the service's p50/p99 latency at half
   its maximum rate (4 connections paced by wrk's `delay()` with random pauses,
   calibrated to that rate); then `POST /decisions/batch`
   with 1,000 asks per request.

Last line: RESULT decisions_per_s=<n> ceiling_per_s=<n> ratio=<r> p99_ms=<x>
(p99 at half the maximum rate). Set BENCH_SECONDS to change each run's length.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

from ac_events.migrator import LIBRARY, migrate, source
from bench.profiling import profiled
from tests.support.infra import REPO_ROOT, create_database, drop_database
from tests.support.tokens import TokenMint

PEOPLE = 100_000
PER_PERSON = 10
ORGS = 100
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = 16
BATCH = 1000
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))

LUA = r"""
math.randomseed(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local people, orgs = tonumber(os.getenv("BENCH_PEOPLE")), tonumber(os.getenv("BENCH_ORGS"))
local batch = tonumber(os.getenv("BENCH_BATCH") or "0")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local function ask()
  return string.format(
    '{"subject_id":"p%d","purpose":"client_application","recipient":"org-%d",' ..
    '"region":"JP","data_categories":["resume"]}',
    math.random(0, people - 1), math.random(0, orgs - 1))
end
local bodies = {}
if batch > 0 then
  for b = 1, 8 do
    local asks = {}
    for i = 1, batch do asks[i] = ask() end
    bodies[b] = '{"requests":[' .. table.concat(asks, ",") .. ']}'
  end
end
request = function()
  if batch > 0 then
    return wrk.format(nil, "/decisions/batch", nil, bodies[math.random(1, #bodies)])
  end
  return wrk.format(nil, "/decisions", nil, ask())
end
-- Paced runs: each connection waits an exponentially distributed pause (Poisson-like
-- arrivals, so connections do not fire in step) between its requests.
if pause > 0 then delay = function() return -pause * math.log(1 - math.random()) end end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d errors=%d non2xx=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def load(url: str) -> None:
    """100k people with 10 consents each, straight into the view's tables."""
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, LIBRARY, source("ac_consent"))
        now = datetime.now(UTC)
        await conn.execute("INSERT INTO policy_versions VALUES ('v1', 0, $1)", now)
        await conn.execute("INSERT INTO streams VALUES ('policies', 1, $1)", "0" * 64)
        await conn.copy_records_to_table(
            "organisations",
            records=[(f"org-{i}", f"Org {i} K.K.", "JP", now) for i in range(ORGS)],
        )
        rng = random.Random(7)
        internal = ["marketing", "product_improvement", "vacancy_assessment", "enquiries"]
        rows: list[tuple[object, ...]] = []
        for p in range(PEOPLE):
            subject = f"p{p}"
            orgs = rng.sample(range(ORGS), PER_PERSON - len(internal))
            scopes = [("client_application", f"org-{o}") for o in orgs]
            scopes += [(purpose, "*") for purpose in internal]
            for purpose, recipient in scopes:
                withdrawn = rng.random() < 0.1
                rows.append(
                    (
                        uuid.uuid4(),
                        subject,
                        purpose,
                        recipient,
                        "JP",
                        ["resume", "name", "contact"],
                        [],
                        "v1",
                        None,
                        uuid.uuid4(),
                        now,
                        uuid.uuid4() if withdrawn else None,
                        now if withdrawn else None,
                    )
                )
            if len(rows) >= 100_000:
                await conn.copy_records_to_table("consents", records=rows)
                rows = []
        if rows:
            await conn.copy_records_to_table("consents", records=rows)
        await conn.copy_records_to_table(
            "streams",
            records=[(f"consent-p{p}", PER_PERSON, "0" * 64) for p in range(PEOPLE)],
        )
        await conn.execute("ANALYZE")
        count = await conn.fetchval("SELECT count(*) FROM consents")
        print(f"loaded {PEOPLE:,} people, {count:,} consents, {ORGS} organisations", flush=True)
    finally:
        await conn.close()


@contextmanager
def serve(app: str, port: int, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    command = [
        sys.executable, "-m", "uvicorn", app, "--factory", "--port", str(port),
        "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=REPO_ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not start")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(30)


def wrk(
    port: int, script: Path, env: dict[str, str], connections: int, seconds: int
) -> dict[str, float]:
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
        f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    out = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    match = re.search(r"^WRK (.*)$", out.stdout, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk said: {out.stdout}{out.stderr}")
    figures = {k: float(v) for k, v in (kv.split("=") for kv in match.group(1).split())}
    if figures["errors"] or figures["non2xx"]:
        raise RuntimeError(f"wrk saw errors: {figures}")
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def paced(port: int, script: Path, env: dict[str, str], target: float) -> dict[str, float]:
    """A run at about `target` requests/s: the pause is calibrated on two short runs."""
    connections = 4
    pause = connections * 1000 / target
    for _ in range(2):
        probe = wrk(port, script, {**env, "BENCH_DELAY_MS": f"{pause:.3f}"}, connections, 3)
        service_ms = max(0.0, connections * 1000 / probe["rate"] - pause)
        pause = max(0.1, connections * 1000 / target - service_ms)
    return wrk(port, script, {**env, "BENCH_DELAY_MS": f"{pause:.3f}"}, connections, SECONDS)


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("bench-consent needs wrk (make bench-consent installs it)")
    server = os.environ["DATABASE_URL"]
    url = asyncio.run(create_database(server, f"ac_consent_bench_{uuid.uuid4().hex[:8]}"))
    try:
        asyncio.run(load(url))
        mint = TokenMint()
        token = mint.token("matching", "service", ttl_s=3600)
        service_env = {
            "CONSENT_DATABASE_URL": url,
            "CONSENT_TOPIC_PREFIX": f"bench-{uuid.uuid4().hex[:6]}.",
            "AUTH_JWKS": json.dumps(mint.jwks()),
            "CONSENT_LOG_LEVEL": "WARNING",
            **{k: v for k, v in os.environ.items() if k.startswith("OTEL_")},
        }
        load_env = {"BENCH_TOKEN": token, "BENCH_PEOPLE": str(PEOPLE), "BENCH_ORGS": str(ORGS)}
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "decisions.lua"
            script.write_text(LUA)
            port = free_port()
            with serve("bench.bare_app:create_app", port, {}):
                wrk(port, script, load_env, CONNECTIONS, 2)
                ceiling = wrk(port, script, load_env, CONNECTIONS, SECONDS)
                ceiling_batch = wrk(
                    port, script, {**load_env, "BENCH_BATCH": str(BATCH)}, 4, SECONDS
                )
            print(f"ceiling: bare FastAPI endpoint {ceiling['rate']:,.0f} requests/s "
                  f"(p50 {ceiling['p50_us'] / 1000:.2f} ms, p99 {ceiling['p99_us'] / 1000:.2f} ms); "
                  f"batch of {BATCH}: {ceiling_batch['rate'] * BATCH:,.0f} asks/s", flush=True)  # fmt: skip
            port = free_port()
            with serve("ac_consent.app:create_app", port, service_env) as service:
                wrk(port, script, load_env, CONNECTIONS, 2)
                with profiled("consent-decisions", service.pid):
                    top = wrk(port, script, load_env, CONNECTIONS, SECONDS)
                half = top["rate"] / 2
                paced = 8
                pause_ms = max(1, round(paced * 1000 / half))
                calm = wrk(
                    port, script, {**load_env, "BENCH_DELAY_MS": str(pause_ms)}, paced, SECONDS
                )
                with profiled("consent-batch", service.pid):
                    batch = wrk(port, script, {**load_env, "BENCH_BATCH": str(BATCH)}, 4, SECONDS)
        print(f"consent decisions at maximum: {top['rate']:,.0f}/s "
              f"(p50 {top['p50_us'] / 1000:.2f} ms, p99 {top['p99_us'] / 1000:.2f} ms, {CONNECTIONS} connections)")  # fmt: skip
        print(f"consent decisions at {calm['rate']:,.0f}/s (about half the maximum): "
              f"p50 {calm['p50_us'] / 1000:.2f} ms, p99 {calm['p99_us'] / 1000:.2f} ms")  # fmt: skip
        print(f"batch decisions: {batch['rate'] * BATCH:,.0f}/s ({BATCH} per request; "
              f"ceiling {ceiling_batch['rate'] * BATCH:,.0f}/s, "
              f"ratio {batch['rate'] / ceiling_batch['rate']:.2f})")  # fmt: skip
        print(f"RESULT decisions_per_s={top['rate']:.0f} ceiling_per_s={ceiling['rate']:.0f} "
              f"ratio={top['rate'] / ceiling['rate']:.2f} p99_ms={calm['p99_us'] / 1000:.2f}")  # fmt: skip
    finally:
        asyncio.run(drop_database(server, url))


if __name__ == "__main__":
    main()
