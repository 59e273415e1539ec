"""The whole platform under load, through the gateway (`make bench-platform`).

One run, on one machine:
1. every service as `make run` starts it (deploy/local/run.py: one uvicorn
   process each, the mail sink), on databases and topics of this run's own;
2. the demo data (deploy/local/demo.py), then STUDENTS more students (each
   with a CV and consents to one client), and more vacancies; every account
   signed in once;
3. locust, headless (bench/locustfile.py: a busy term's mix), in stages of
   more and more users, STAGE_S seconds each; after each stage, requests/s and
   p50/p99 per route, and each service's CPU share (of one core) in the stage.

The figure is the highest stage at which no route's p99 exceeds 200 ms and no
request failed; the service that saturates first is the one nearest a whole
core there. The audit's check (a replay of the whole log, what staff ask a few
times a day) is shown but not held to the 200 ms.

Last line: RESULT platform_rps=<n> worst_route=<route> worst_p99_ms=<x>
"""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from ac_contracts.services import SERVICES as REGISTRY
from bench.charts import Chart, table
from bench.wrk import cpu_seconds
from tests.support.infra import REPO_ROOT, create_database, drop_database
from tests.support.net import free_block

STAGES = [int(u) for u in os.environ.get("BENCH_USERS", "10,25,50,100,200").split(",")]
STAGE_S = int(os.environ.get("BENCH_STAGE_S", "30"))
STUDENTS = int(os.environ.get("BENCH_STUDENTS", "40"))
P99_MS = 200.0
NOT_HELD = {"GET /v1/audit/checks"}
WITH_DATABASE = tuple(s.name for s in REGISTRY if s.database)
SERVICES = tuple(s.name for s in REGISTRY)


def _demo() -> Any:
    spec = importlib.util.spec_from_file_location("demo", REPO_ROOT / "deploy/local/demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ready(base: int) -> bool:
    try:
        return all(httpx.get(f"http://127.0.0.1:{base + i}/readyz", timeout=2).status_code == 200
                   for i in range(len(SERVICES)))  # fmt: skip
    except httpx.HTTPError:
        return False


def _pids(supervisor: int) -> dict[str, int]:
    """The services' processes under the supervisor, by name."""
    found: dict[str, int] = {}
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
            for service in SERVICES:
                if f"ac_{service}.app" in command:
                    found[service] = int(child)
    return found


def seed(gateway: str, world: Path) -> None:
    """The demo data, more students and vacancies, and everyone's tokens into `world`."""
    demo = _demo()
    d = demo.Demo(gateway)
    d.run()
    staff = d.staff()
    for org, recruiter in demo.RECRUITERS.items():
        who = d.login(recruiter)
        for i in range(20):
            d.call("POST", "/v1/vacancies", who, json={
                "title": f"Load internship {i}", "skills": ["Python", "SQL"],
                "location_country": d.country(org), "description": f"Internship {i} at {org}."})  # fmt: skip
    version = d.call("GET", "/v1/policies", staff)["versions"][-1]
    notice = _notice(d, staff, demo)  # the demo's, published again: the same one
    orgs = list(demo.RECRUITERS)
    students = []
    for i in range(STUDENTS):
        org = orgs[i % len(orgs)]
        s = {"username": f"load.s{i}", "name": f"Load Student {i}", "email": f"s{i}@load.example",
             "school": "Example University", "language": "en",
             "cv": {"education": ["Example University, BSc"], "skills": ["Python", "SQL"],
                    "languages": ["English"], "desired_roles": ["Engineer"]},
             "clients": [org]}  # fmt: skip
        d.student(s, version, notice)
        students.append({"token": d.login(s["username"])["Authorization"].split()[1],
                         "client": org})  # fmt: skip
    vacancies = _every(d, "/v1/vacancies", staff)
    clients = [{"token": d.login(r)["Authorization"].split()[1],
                "vacancies": [v["vacancy_id"] for v in vacancies if v["organization_id"] == o]}
               for o, r in demo.RECRUITERS.items()]  # fmt: skip
    world.write_text(json.dumps({
        "students": students, "clients": clients,
        "staff": d.login(demo.AUDITOR["username"])["Authorization"].split()[1],
        "vacancies": [v["vacancy_id"] for v in vacancies], "policy_version": version}))  # fmt: skip
    print(f"seeded: {len(students) + 3} students, {len(vacancies)} vacancies, 2 clients")


def _every(d: Any, path: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every item of a list route, page after page."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = d.call("GET", path, headers, params=params)
        items += page["items"]
        if (cursor := page["next_cursor"]) is None:
            return items


def _notice(d: Any, staff: dict[str, str], demo: Any) -> str:
    return str(d.call("POST", "/v1/country-notices", staff, json=demo.DE_NOTICE)["notice_sha256"])


def stage(gateway: str, world: Path, users: int, out: Path, pids: dict[str, int]) -> dict[str, Any]:
    """One stage of `users` users; per route: requests/s, p50, p99, failures."""
    cpu = {s: cpu_seconds(p) for s, p in pids.items()}
    began = time.monotonic()
    prefix = out / f"u{users}"
    subprocess.run(
        [str(Path(sys.executable).with_name("locust")), "-f", str(REPO_ROOT / "bench/locustfile.py"),
         "--headless", "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{STAGE_S}s",
         "--host", gateway, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
        env={**os.environ, "BENCH_PLATFORM_USERS": str(world)}, check=False,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    elapsed = time.monotonic() - began
    routes, total = {}, {}
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as f:
        for row in csv.DictReader(f):
            figures = {"rps": float(row["Requests/s"]), "p50": float(row["50%"]),
                       "p99": float(row["99%"]), "failures": int(row["Failure Count"]),
                       "requests": int(row["Request Count"])}  # fmt: skip
            if row["Name"] == "Aggregated":
                total = figures
            else:
                routes[row["Name"]] = figures
    busy = {s: (cpu_seconds(p) - cpu[s]) / elapsed for s, p in pids.items()}
    held = {r: v for r, v in routes.items() if r not in NOT_HELD}
    worst = max(held, key=lambda r: held[r]["p99"]) if held else "-"
    ok = bool(held) and all(v["p99"] <= P99_MS for v in held.values()) and not total["failures"]
    return {"users": users, "routes": routes, "total": total, "busy": busy, "worst": worst,
            "ok": ok}  # fmt: skip


async def _databases(server: str, run: str) -> dict[str, str]:
    return {s: await create_database(server, f"ac_bench_{run}_{s}") for s in WITH_DATABASE}


def main() -> None:
    server = os.environ["DATABASE_URL"]
    run = uuid.uuid4().hex[:8]
    print(f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    urls = asyncio.run(_databases(server, run))
    base, smtp = free_block(len(SERVICES) + 1), free_block(1)  # the services and the web app
    mail = Path(tempfile.mkdtemp(prefix="bench-mail-"))  # this run's mail only
    env = {**os.environ, "AC_PORT_BASE": str(base), "AC_SMTP_PORT": str(smtp),
           "AC_MAIL_DIR": str(mail),
           "GATEWAY_AUTH_RATE_PER_MINUTE": "100000",
           **{f"{s.upper()}_DATABASE_URL": u for s, u in urls.items()},
           **{f"{s.upper()}_TOPIC_PREFIX": f"bench{run}." for s in SERVICES},
           **{f"{s.upper()}_LOG_LEVEL": "WARNING" for s in SERVICES}}  # fmt: skip
    supervisor = subprocess.Popen([sys.executable, str(REPO_ROOT / "deploy/local/run.py")],
                                  env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)  # fmt: skip
    gateway = f"http://127.0.0.1:{base}"
    stages: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + 180
        while not _ready(base):
            if supervisor.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the platform did not start")
            time.sleep(1)
        pids = _pids(supervisor.pid)
        os.environ.update(env)  # the demo's staff account is made in this run's identity
        with tempfile.TemporaryDirectory() as tmp:
            world = Path(tmp) / "world.json"
            seed(gateway, world)
            for users in STAGES:
                s = stage(gateway, world, users, Path(tmp), pids)
                stages.append(s)
                busiest = max(s["busy"], key=lambda k: s["busy"][k])
                print(f"{users:>4} users: {s['total']['rps']:7.1f} requests/s, worst p99 "
                      f"{s['routes'][s['worst']]['p99']:.0f} ms ({s['worst']}), failures "
                      f"{s['total']['failures']}, busiest {busiest} "
                      f"{100 * s['busy'][busiest]:.0f}% of a core", flush=True)  # fmt: skip
                if not s["ok"]:
                    break
    finally:
        supervisor.terminate()
        supervisor.wait(60)
        for url in urls.values():
            asyncio.run(drop_database(server, url))
        shutil.rmtree(mail, ignore_errors=True)
    report(stages)


def report(stages: list[dict[str, Any]]) -> None:
    passing = [s for s in stages if s["ok"]] or stages[:1]
    best = max(passing, key=lambda s: s["total"]["rps"])
    print(f"\nat {best['users']} users ({best['total']['rps']:.0f} requests/s):")
    print(table(["route", "requests/s", "p50 ms", "p99 ms", "failures"],
                [[r, v["rps"], v["p50"], v["p99"], v["failures"]]
                 for r, v in sorted(best["routes"].items())]))  # fmt: skip
    print(table(["users", "requests/s", "worst p99 ms", "failures",
                 *(f"{s} CPU" for s in SERVICES)],
                [[s["users"], s["total"]["rps"], s["routes"][s["worst"]]["p99"],
                  s["total"]["failures"], *(f"{100 * s['busy'].get(x, 0):.0f}%" for x in SERVICES)]
                 for s in stages]))  # fmt: skip
    last = stages[-1]
    first = max(last["busy"], key=lambda k: last["busy"][k])
    print(f"saturates first: {first} ({100 * last['busy'][first]:.0f}% of a core at "
          f"{last['users']} users)")  # fmt: skip
    chart = Chart("platform-by-users", "The platform through the gateway", "users", "requests/s")
    chart.plot([(s["users"], s["total"]["rps"]) for s in stages], "requests/s").save()
    print(f"RESULT platform_rps={best['total']['rps']:.0f} worst_route={best['worst'].replace(' ', '_')} "
          f"worst_p99_ms={best['routes'][best['worst']]['p99']:.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
