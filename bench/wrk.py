"""What `bench/consent.py` drives its servers with: wrk and one Lua script, and the servers.

The script asks `POST /decisions` for a random person and recipient (or
`/decisions/batch` with `BENCH_BATCH` asks; or, with `BENCH_OPA=1`, OPA's
`POST /v1/data/ac/decision` with the same ask as its input). A paced run
(`BENCH_DELAY_MS`) waits an exponentially distributed pause between a
connection's requests, so arrivals are Poisson-like at about a chosen rate.

A server is uvicorn (uvloop and httptools, as the images run it) or granian
(`BENCH_SERVER=granian`), one worker process, on the same settings for the
ceiling and the service.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.infra import REPO_ROOT

SERVER = os.environ.get("BENCH_SERVER", "uvicorn")
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))

LUA = r"""
math.randomseed(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
local people, orgs = tonumber(os.getenv("BENCH_PEOPLE")), tonumber(os.getenv("BENCH_ORGS"))
local prefix = os.getenv("BENCH_PREFIX") or "p"
local batch = tonumber(os.getenv("BENCH_BATCH") or "0")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local opa = os.getenv("BENCH_OPA") == "1"
local function ask()
  return string.format(
    '{"subject_id":"%s%d","purpose":"client_application","recipient":"org-%d",' ..
    '"region":"JP","data_categories":["resume"]}',
    prefix, math.random(0, people - 1), math.random(0, orgs - 1))
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
  if opa then
    return wrk.format(nil, "/v1/data/ac/decision", nil, '{"input":' .. ask() .. '}')
  end
  return wrk.format(nil, "/decisions", nil, ask())
end
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


def server_command(app: str, port: int) -> list[str]:
    """The command serving the app factory `app` on `port` with `SERVER`."""
    if SERVER == "granian":
        return [str(Path(sys.executable).with_name("granian")), "--interface", "asgi",
                "--factory", "--host", "127.0.0.1", "--port", str(port), "--workers",
                str(WORKERS), "--loop", "uvloop", "--http", "1", "--no-ws",
                "--log-level", "warning", "--no-access-log", app]  # fmt: skip
    return [sys.executable, "-m", "uvicorn", app, "--factory", "--port", str(port),
            "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning",
            "--loop", "uvloop", "--http", "httptools"]  # fmt: skip


@contextmanager
def serve(app: str, port: int, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(server_command(app, port), env={**os.environ, **env},
                               cwd=REPO_ROOT)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
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


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children's threads."""
    total, todo = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        at = todo.pop()
        try:
            fields = Path(f"/proc/{at}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{at}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def wrk(
    port: int,
    script: Path,
    env: dict[str, str],
    connections: int,
    seconds: float,
    pid: int | None = None,
) -> dict[str, float]:
    """One wrk run; with `pid`, also the CPU seconds the server spent (`cpu_s`) and the
    requests per CPU second (`per_cpu_s`): on a machine others share, the server's rate
    on a core of its own, which a ratio of two runs can rely on."""
    cpu = cpu_seconds(pid) if pid else 0.0
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--latency", "-s", str(script),
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
    if pid:
        figures["cpu_s"] = cpu_seconds(pid) - cpu
        figures["per_cpu_s"] = figures["requests"] / max(figures["cpu_s"], 1e-3)
    return figures


def paced(
    port: int, script: Path, env: dict[str, str], target: float, seconds: float
) -> dict[str, float]:
    """A run at about `target` requests/s: the pause is calibrated on two short runs."""
    connections = 4
    pause = connections * 1000 / target
    for _ in range(2):
        probe = wrk(port, script, {**env, "BENCH_DELAY_MS": f"{pause:.3f}"}, connections, 3)
        service_ms = max(0.0, connections * 1000 / probe["rate"] - pause)
        pause = max(0.1, connections * 1000 / target - service_ms)
    return wrk(port, script, {**env, "BENCH_DELAY_MS": f"{pause:.3f}"}, connections, seconds)
