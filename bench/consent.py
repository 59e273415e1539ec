"""Consent decisions over HTTP under a real load generator (wrk), beside their ceiling and a peer.

One run, on one machine:
1. a fresh consent database with 100,000 people and 1,000,000 consents (10
   each: client applications to several of 100 organisations in Japan, and
   internal purposes), COPYed into the view's tables (the path of events into
   the view is measured by `bench/pipeline.py`); and, for the curves, 1,000
   people with 100 consents each and 100 with 1,000;
2. three servers at once, each one process: the consent service (with its
   relay and consumers running); the ceiling, a bare FastAPI endpoint taking
   the same body (`bench/bare_app.py`), on the same server settings
   (`bench/wrk.py`); and the peer, Open Policy Agent with the same people and
   consents as its data (`bench/opa.py`; OPA answers from memory with no
   read-your-writes, the service from the database in the transaction of the
   withdrawal);
3. wrk (one thread), in ROUNDS rounds that take turns between the servers (on
   a shared machine the load moves: each round's ratio is of runs seconds
   apart; the median round is reported): the maximum rate of `POST /decisions`
   with random people and recipients, and of `POST /decisions/batch` with 1,000
   asks per request; then the service's p50/p99 at half its maximum rate
   (4 connections paced by wrk's `delay()`), and the p99 for people with 10,
   100 and 1,000 consents; then 900,000 more people (9,000,000 more consents,
   made by the database) and the maximum rate again.

Each rate is given by the clock and per CPU second of the server process (on a
machine others share, its rate on a core of its own): the ratios are of the
latter, `wall_ratio` of the former.

Last line: RESULT decisions_per_s=<n> ceiling_per_s=<n> ratio=<r> wall_ratio=<r>
p99_ms=<x> batch_per_s=<n> batch_ratio=<r> peer_opa_per_s=<n> vs_opa=<r> (p99 at
half the maximum rate).
BENCH_SECONDS sets each run's length, BENCH_ROUNDS the rounds, BENCH_SCALE=0
skips the curves, BENCH_SERVER=granian serves with granian instead of uvicorn.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from ac_events.migrator import LIBRARY, migrate, source
from bench import opa
from bench.charts import Chart, table
from bench.profiling import profiled
from bench.wrk import LUA, SERVER, free_port, paced, serve, wrk
from tests.support.infra import create_database, drop_database
from tests.support.tokens import TokenMint

PEOPLE = 100_000
MORE_PEOPLE = 1_000_000
PER_PERSON = 10
DEEP = {"q": (1000, 100), "r": (100, 1000)}
"""Subject prefix -> (people, consents each): the people of the consents-per-person curve."""
ORGS = 100
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SCALE = os.environ.get("BENCH_SCALE", "1") != "0"
CONNECTIONS = 16
BATCH = 1000
INTERNAL = ["marketing", "product_improvement", "vacancy_assessment", "enquiries"]

Row = tuple[Any, ...]


def person_rows(rng: random.Random, subject: str, count: int, now: datetime) -> Iterator[Row]:
    """`count` consents of one person: client applications to organisations, and internal
    purposes; one in ten withdrawn."""
    internal = INTERNAL[: min(len(INTERNAL), count // 2)]
    scopes = [(purpose, "*") for purpose in internal]
    scopes += [("client_application", f"org-{rng.randrange(ORGS)}")
               for _ in range(count - len(scopes))]  # fmt: skip
    if count <= ORGS:  # one consent per organisation, as a person would give them
        orgs = rng.sample(range(ORGS), count - len(internal))
        scopes = [(p, r) for p, r in scopes if p != "client_application"]
        scopes += [("client_application", f"org-{o}") for o in orgs]
    for purpose, recipient in scopes:
        withdrawn = rng.random() < 0.1
        yield (uuid.uuid4(), subject, purpose, recipient, "JP", ["resume", "name", "contact"],
               [], "v1", None, uuid.uuid4(), now, uuid.uuid4() if withdrawn else None,
               now if withdrawn else None)  # fmt: skip


async def load_small(url: str, people: int) -> None:
    """`people` people with 10 consents each (for `bench/servers.py`)."""
    await load(url, people, deep=False)


async def load(url: str, people: int = PEOPLE, deep: bool = SCALE) -> list[Row]:
    """The people, straight into the view's tables; returns the 100,000 people's rows."""
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
        main = [r for p in range(people) for r in person_rows(rng, f"p{p}", PER_PERSON, now)]
        more = [r for prefix, (n, each) in DEEP.items() if deep
                for p in range(n) for r in person_rows(rng, f"{prefix}{p}", each, now)]  # fmt: skip
        for rows in (main, more):
            for i in range(0, len(rows), 100_000):
                await conn.copy_records_to_table("consents", records=rows[i : i + 100_000])
        streams = {r[1]: 0 for r in main + more}
        for r in main + more:
            streams[r[1]] += 1
        await conn.copy_records_to_table(
            "streams", records=[(f"consent-{s}", v, "0" * 64) for s, v in streams.items()]
        )
        await conn.execute("ANALYZE")
        count = await conn.fetchval("SELECT count(*) FROM consents")
        print(f"loaded {len(streams):,} people, {count:,} consents, {ORGS} organisations")
        return main
    finally:
        await conn.close()


_MORE = """
WITH s AS (SELECT p, k, random() AS w FROM generate_series($1::int, $2::int - 1) p,
                                          generate_series(0, 9) k)
INSERT INTO consents
SELECT gen_random_uuid(), 'p' || p,
       CASE WHEN k < 6 THEN 'client_application'
            ELSE (ARRAY['marketing','product_improvement','vacancy_assessment','enquiries'])[k - 5] END,
       CASE WHEN k < 6 THEN 'org-' || ((p * 7 + k * 13) % 100) ELSE '*' END,
       'JP', ARRAY['resume','name','contact'], ARRAY[]::text[], 'v1', NULL, gen_random_uuid(), now(),
       CASE WHEN w < 0.1 THEN gen_random_uuid() END, CASE WHEN w < 0.1 THEN now() END
FROM s
"""


async def more_people(url: str, start: int, end: int) -> None:
    """People `p<start>`..`p<end-1>` with 10 consents each, made by the database itself."""
    conn = await asyncpg.connect(url)
    try:
        for at in range(start, end, 100_000):
            await conn.execute(_MORE, at, min(end, at + 100_000))
        await conn.execute(
            "INSERT INTO streams SELECT 'consent-p' || p, 10, repeat('0', 64) "
            "FROM generate_series($1::int, $2::int - 1) p", start, end,
        )  # fmt: skip
        await conn.execute("ANALYZE consents, streams")
    finally:
        await conn.close()


def same_answers(service_port: int, opa_port: int, token: str, n: int = 300) -> None:
    """The peer answers the benchmark's questions as the service does (decision, reason)."""
    rng = random.Random(3)
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(n):
        ask = {"subject_id": f"p{rng.randrange(PEOPLE)}", "purpose": "client_application",
               "recipient": f"org-{rng.randrange(ORGS)}", "region": rng.choice(["JP", "US"]),
               "data_categories": rng.choice([["resume"], ["resume", "skills"], []])}  # fmt: skip
        ours = httpx.post(f"http://127.0.0.1:{service_port}/decisions", json=ask,
                          headers=headers).json()  # fmt: skip
        if "decision" not in ours:
            raise RuntimeError(f"the service did not decide {ask}: {ours}")
        theirs = opa.decide(opa_port, ask)
        if (ours["decision"], ours["reason"]) != (theirs["decision"], theirs["reason"]):
            raise RuntimeError(f"OPA and the service disagree on {ask}: {theirs} vs {ours}")
    print(f"OPA and the service agree on {n} random questions (decision and reason)")


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("bench-consent needs wrk (make bench-consent installs it)")
    print(f"server: {SERVER}; load: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")
    server = os.environ["DATABASE_URL"]
    url = asyncio.run(create_database(server, f"ac_consent_bench_{uuid.uuid4().hex[:8]}"))
    try:
        rows = asyncio.run(load(url))
        mint = TokenMint()
        token = mint.token("matching", "service", ttl_s=3600)
        service_env = {
            "CONSENT_DATABASE_URL": url,
            "CONSENT_TOPIC_PREFIX": f"bench-{uuid.uuid4().hex[:6]}.",
            "AUTH_JWKS": json.dumps(mint.jwks()),
            "CONSENT_LOG_LEVEL": "WARNING",
            # The benchmark's policy is its own `v1`; the shipped one would make every
            # consent ask for re-consent.
            "CONSENT_PUBLISH_SHIPPED_POLICY": "false",
            **{k: v for k, v in os.environ.items() if k.startswith("OTEL_")},
        }
        env = {"BENCH_TOKEN": token, "BENCH_PEOPLE": str(PEOPLE), "BENCH_ORGS": str(ORGS)}
        batch_env = {**env, "BENCH_BATCH": str(BATCH)}
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "decisions.lua"
            script.write_text(LUA)
            data = Path(tmp) / "people.json"
            opa.write_data(data, rows, [f"org-{i}" for i in range(ORGS)])
            del rows
            ports = {"bare": free_port(), "service": free_port(), "opa": free_port()}
            with (
                serve("bench.bare_app:create_app", ports["bare"], {}) as bare,
                serve("ac_consent.app:create_app", ports["service"], service_env) as service,
                opa.serve(ports["opa"], data, Path(tmp)) as peer,
            ):
                pids = {"bare": bare.pid, "service": service.pid, "opa": peer.pid}
                same_answers(ports["service"], ports["opa"], token)
                for port in ports.values():
                    wrk(port, script, {**env, "BENCH_OPA": "1"} if port == ports["opa"] else env,
                        CONNECTIONS, 2)  # fmt: skip
                rounds = run_rounds(ports, pids, script, env, batch_env)
                top = statistics.median(r["service"] for r in rounds)
                calm = paced(ports["service"], script, env, top / 2, SECONDS)
                curves = scaling(ports["service"], script, env, url, top) if SCALE else {}
        report(rounds, calm, curves)
    finally:
        asyncio.run(drop_database(server, url))


def run_rounds(
    ports: dict[str, int], pids: dict[str, int], script: Path, env: dict[str, str],
    batch_env: dict[str, str],
) -> list[dict[str, float]]:  # fmt: skip
    """ROUNDS rounds of: bare, service, OPA (single decisions); bare, service (batches).
    Each figure twice: per second of the run, and per CPU second of the server."""
    opa_env = {**env, "BENCH_OPA": "1"}
    runs = [("bare", "bare", env, CONNECTIONS, 1), ("service", "service", env, CONNECTIONS, 1),
            ("opa", "opa", opa_env, CONNECTIONS, 1), ("bare_batch", "bare", batch_env, 4, BATCH),
            ("batch", "service", batch_env, 4, BATCH)]  # fmt: skip
    rounds = []
    for i in range(ROUNDS):
        r: dict[str, float] = {}
        for name, server, run_env, connections, per_request in runs:
            profile = name in ("service", "batch") and i == 0
            spy = profiled(f"consent-{name}", pids[server], subprocesses=SERVER == "granian")
            with spy if profile else nullcontext():
                w = wrk(ports[server], script, run_env, connections, SECONDS, pids[server])
            r[name], r[f"{name}_cpu"] = w["rate"] * per_request, w["per_cpu_s"] * per_request
        r["load"] = os.getloadavg()[0]
        print(f"round {i + 1}: " + ", ".join(f"{k} {v:,.0f}" for k, v in r.items()), flush=True)
        rounds.append(r)
    return rounds


def scaling(
    port: int, script: Path, env: dict[str, str], url: str, top: float
) -> dict[str, list[tuple[float, float]]]:
    """p99 by consents per person (at half the maximum rate), and the rate by people."""
    by_consents = [(float(PER_PERSON), paced(port, script, env, top / 2, SECONDS)["p99_us"])]
    for prefix, (n, each) in DEEP.items():
        deep = {**env, "BENCH_PREFIX": prefix, "BENCH_PEOPLE": str(n)}
        by_consents.append((float(each), paced(port, script, deep, top / 2, SECONDS)["p99_us"]))
    began = time.monotonic()
    asyncio.run(more_people(url, PEOPLE, MORE_PEOPLE))
    print(f"added {MORE_PEOPLE - PEOPLE:,} people in {time.monotonic() - began:.0f} s")
    wide = {**env, "BENCH_PEOPLE": str(MORE_PEOPLE)}
    wrk(port, script, wide, CONNECTIONS, 2)
    by_people = [(float(PEOPLE), top),
                 (float(MORE_PEOPLE), wrk(port, script, wide, CONNECTIONS, SECONDS)["rate"])]  # fmt: skip
    return {"consents": by_consents, "people": by_people}


def report(rounds: list[dict[str, float]], calm: dict[str, float], curves: dict[str, Any]) -> None:
    med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}

    def ratio(a: str, b: str) -> float:
        return statistics.median(r[a] / r[b] for r in rounds)

    print(table(["round", "bare /s", "service /s", "ratio", "OPA /s", "bare batch /s",
                 "batch /s", "ratio", "load"],
                [[i + 1, r["bare"], r["service"], r["service"] / r["bare"], r["opa"],
                  r["bare_batch"], r["batch"], r["batch"] / r["bare_batch"], r["load"]]
                 for i, r in enumerate(rounds)]))  # fmt: skip
    print("per CPU second of the server (its rate on a core of its own):")
    print(table(["round", "bare", "service", "ratio", "OPA", "vs OPA", "bare batch", "batch",
                 "ratio"],
                [[i + 1, r["bare_cpu"], r["service_cpu"], r["service_cpu"] / r["bare_cpu"],
                  r["opa_cpu"], r["service_cpu"] / r["opa_cpu"], r["bare_batch_cpu"],
                  r["batch_cpu"], r["batch_cpu"] / r["bare_batch_cpu"]]
                 for i, r in enumerate(rounds)]))  # fmt: skip
    print(f"ceiling: bare FastAPI endpoint {med['bare']:,.0f}/s ({med['bare_cpu']:,.0f} per CPU s);"
          f" batch {med['bare_batch']:,.0f} asks/s ({med['bare_batch_cpu']:,.0f} per CPU s)")  # fmt: skip
    print(f"consent decisions at maximum: {med['service']:,.0f}/s "
          f"({med['service_cpu']:,.0f} per CPU s; ratio {ratio('service_cpu', 'bare_cpu'):.2f}, "
          f"by the clock {ratio('service', 'bare'):.2f})")  # fmt: skip
    print(f"peer: OPA {med['opa']:,.0f}/s ({med['opa_cpu']:,.0f} per CPU s), answering from "
          "memory with no read-your-writes (the service answers from the database, in the "
          "withdrawal's transaction)")  # fmt: skip
    print(f"consent decisions at {calm['rate']:,.0f}/s (about half the maximum): "
          f"p50 {calm['p50_us'] / 1000:.2f} ms, p99 {calm['p99_us'] / 1000:.2f} ms")  # fmt: skip
    print(f"batch decisions: {med['batch']:,.0f} asks/s ({med['batch_cpu']:,.0f} per CPU s; "
          f"ratio {ratio('batch_cpu', 'bare_batch_cpu'):.2f})")  # fmt: skip
    if curves:
        consents = [(int(n), p99 / 1000) for n, p99 in curves["consents"]]
        people = [(int(n), rate) for n, rate in curves["people"]]
        print(table(["consents per person", "p99 ms"], consents))
        print(table(["people", "decisions/s"], people))
        Chart(
            "consent-p99-by-consents",
            "Decision p99 at half the maximum rate",
            "consents per person",
            "p99 (ms)",
            log_x=True,
        ).plot(consents, "service").save()
        Chart("consent-rate-by-people", "Decisions per second at maximum", "people",
              "decisions/s", log_x=True).plot(people, "service").save()  # fmt: skip
    print(f"RESULT decisions_per_s={med['service']:.0f} ceiling_per_s={med['bare']:.0f} "
          f"ratio={ratio('service_cpu', 'bare_cpu'):.2f} wall_ratio={ratio('service', 'bare'):.2f} "
          f"p99_ms={calm['p99_us'] / 1000:.2f} batch_per_s={med['batch']:.0f} "
          f"batch_ratio={ratio('batch_cpu', 'bare_batch_cpu'):.2f} "
          f"peer_opa_per_s={med['opa']:.0f} vs_opa={ratio('service_cpu', 'opa_cpu'):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
