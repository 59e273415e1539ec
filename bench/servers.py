"""uvicorn (uvloop, httptools) against granian, for the consent service and the gateway.

For each server, one process each, in rounds that take turns (on a shared
machine the load moves), with wrk:
- consent, bare: `bench/bare_app.py`'s `POST /decisions` (FastAPI, the contract's model);
- consent, service: the consent service's `POST /decisions` (the data of
  `bench/consent.py`, smaller: 10,000 people);
- gateway, bare: the gateway's own `GET /healthz` (its middleware, no upstream);
- gateway, service: the gateway's `GET /v1/policies` (a token verified, the
  route's checks, relayed to an upstream that answers a constant).

Each figure is requests per CPU second of the server (its rate on a core of
its own) and by the clock. Last line: RESULT best=<server> consent_ratio=<r>
gateway_ratio=<r> (granian / uvicorn, service requests per CPU second).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import uuid
from pathlib import Path

from bench import wrk as w
from bench.charts import table
from bench.consent import ORGS, load_small
from tests.support.infra import create_database, drop_database
from tests.support.tokens import TokenMint

SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PEOPLE = 10_000

GET_LUA = r"""
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
local path = os.getenv("BENCH_PATH")
request = function() return wrk.format(nil, path) end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d errors=%d non2xx=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""


def main() -> None:
    server = os.environ["DATABASE_URL"]
    url = asyncio.run(create_database(server, f"ac_servers_bench_{uuid.uuid4().hex[:8]}"))
    try:
        asyncio.run(load_small(url, PEOPLE))
        mint = TokenMint()
        token = mint.token("matching", "service", ttl_s=3600)
        person = mint.token("p-bench", "student", ttl_s=3600)  # the gateway's routes are people's
        jwks = json.dumps(mint.jwks())
        with tempfile.TemporaryDirectory() as tmp:
            post, get = Path(tmp) / "post.lua", Path(tmp) / "get.lua"
            post.write_text(w.LUA)
            get.write_text(GET_LUA)
            figures = {name: _measure(name, url, jwks, (token, person), post, get)
                       for name in ("uvicorn", "granian")}  # fmt: skip
    finally:
        asyncio.run(drop_database(server, url))
    rows: list[list[float | int | str]] = []
    for name, f in figures.items():
        rows.append([name, *(f[k][0] for k in KINDS), *(f[k][1] for k in KINDS)])
    print(table(["server", *(f"{k} /CPU s" for k in KINDS), *(f"{k} /s" for k in KINDS)], rows))
    consent = figures["granian"]["consent service"][0] / figures["uvicorn"]["consent service"][0]
    gateway = figures["granian"]["gateway service"][0] / figures["uvicorn"]["gateway service"][0]
    best = "granian" if consent > 1.05 and gateway > 1.05 else "uvicorn"
    print(f"RESULT best={best} consent_ratio={consent:.2f} gateway_ratio={gateway:.2f}")


KINDS = ("consent bare", "consent service", "gateway bare", "gateway service")


def _measure(
    name: str, url: str, jwks: str, tokens: tuple[str, str], post: Path, get: Path
) -> dict[str, tuple[float, float]]:
    """Per kind: (median requests per CPU second, median requests per second); `tokens`: a
    service's (for consent) and a person's (for the gateway)."""
    w.SERVER = name
    ports = {k: w.free_port() for k in ("bare", "consent", "gateway")}
    consent_env = {"CONSENT_DATABASE_URL": url, "AUTH_JWKS": jwks,
                   "CONSENT_TOPIC_PREFIX": f"bench-{uuid.uuid4().hex[:6]}.",
                   "CONSENT_LOG_LEVEL": "WARNING", "CONSENT_PUBLISH_SHIPPED_POLICY": "false"}  # fmt: skip
    upstream = f"http://127.0.0.1:{ports['bare']}"
    gateway_env = {"GATEWAY_AUTH_JWKS": jwks, "GATEWAY_LOG_LEVEL": "WARNING",
                   **{f"GATEWAY_{s}_URL": upstream for s in
                      ("IDENTITY", "RESUMES", "MATCHING", "CONSENT", "NOTIFICATIONS", "AUDIT")}}  # fmt: skip
    env = {"BENCH_TOKEN": tokens[0], "BENCH_PEOPLE": str(PEOPLE), "BENCH_ORGS": str(ORGS)}
    as_person = {**env, "BENCH_TOKEN": tokens[1]}
    runs = {
        "consent bare": ("bare", post, env),
        "consent service": ("consent", post, env),
        "gateway bare": ("gateway", get, {**as_person, "BENCH_PATH": "/healthz"}),
        "gateway service": ("gateway", get, {**as_person, "BENCH_PATH": "/v1/policies"}),
    }
    seen: dict[str, list[tuple[float, float]]] = {k: [] for k in runs}
    with (
        w.serve("bench.bare_app:create_app", ports["bare"], {}) as bare,
        w.serve("ac_consent.app:create_app", ports["consent"], consent_env) as consent,
        w.serve("ac_gateway.app:create_app", ports["gateway"], gateway_env) as gateway,
    ):
        pids = {"bare": bare.pid, "consent": consent.pid, "gateway": gateway.pid}
        for kind, (target, script, run_env) in runs.items():
            try:
                w.wrk(ports[target], script, run_env, 16, 2)  # warm up; checks it answers
            except RuntimeError as exc:
                raise RuntimeError(f"{name}, {kind}: {exc}") from exc
        for _ in range(ROUNDS):
            for kind, (target, script, run_env) in runs.items():
                f = w.wrk(ports[target], script, run_env, 16, SECONDS, pids[target])
                seen[kind].append((f["per_cpu_s"], f["rate"]))
    out = {k: (statistics.median(c for c, _ in v), statistics.median(r for _, r in v))
           for k, v in seen.items()}  # fmt: skip
    print(f"{name}: " + ", ".join(f"{k} {c:,.0f}/CPU s ({r:,.0f}/s)" for k, (c, r) in out.items()),
          flush=True)  # fmt: skip
    return out


if __name__ == "__main__":
    main()
