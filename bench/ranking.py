"""Ranking at scale: a student's top 10 and a vacancy's candidate page with 100,000 CVs and
10,000 open vacancies, beside the time of a query that reads one row (the ceiling).

One run, on one machine:
1. a fresh matching database (its migrations), 100 organisations, 10,000 open vacancies
   (Japanese and English titles, descriptions and skills, a third of them internships with
   periods) and 100,000 students: a CV each (sealed under the student's own key, as the
   service keeps it) and the ranking index's row (terms and preferences, sealed), COPYed
   into the tables (the path of events into those rows is the consumer's, measured by
   `bench/pipeline.py`); the students' keys in an in-memory keyring (identity's keyring is
   not what is measured);
2. the ranking index loaded as a replica loads it (`ac_matching.live.LiveIndex`, unsealing
   every row), and its memory;
3. the service's own query code (`ac_matching.views.Matcher`), sequentially, one query at a
   time: `top_vacancies` (the consent decision over HTTP, the student's CV read and
   unsealed, the preferences, the index refreshed from the tables, ranked with the filters,
   `MatchScored` recorded) for random students, and `candidates` (the organisation's bound
   counted, the index refreshed, ranked with the filters, consent confirmed for the page
   in one batch over HTTP, `MatchScored` recorded) for random vacancies. The consent
   service is replaced by a constant answer over real HTTP (`bench/bare_app.py`: its cost
   is `make bench-consent`'s);
4. the ceiling: `SELECT * FROM vacancies WHERE vacancy_id = $1` on the same pool.

Last line: RESULT top10_p99_ms=<x> candidates_p99_ms=<y> cvs=<n> vacancies=<m>
ceiling_p99_ms=<z>. BENCH_QUERIES sets the number of each query (default 400).
"""

from __future__ import annotations

import asyncio
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import asyncpg
import httpx
import orjson

from ac_events.catalogue import MatchingPreferences, ResumeContent
from ac_events.catalogue.base import ERASED, Redacted
from ac_events.codec import Codec
from ac_events.crypto import new_data_key
from ac_events.migrator import LIBRARY, migrate, source
from ac_events.sealing import seal
from ac_events.store import EventStore
from ac_matching.live import LiveIndex
from ac_matching.ranking import tokenize
from ac_matching.ranking_docs import DOC, SERVICE
from ac_matching.views import Matcher, text_of
from ac_platform.auth import ServiceToken
from ac_platform.peers import ConsentClient
from tests.support.infra import REPO_ROOT, create_database, drop_database
from tests.support.net import free_port

CVS = int(os.environ.get("BENCH_CVS", "100000"))
VACANCIES = int(os.environ.get("BENCH_VACANCIES", "10000"))
QUERIES = int(os.environ.get("BENCH_QUERIES", "400"))
ORGS = 100
RNG = random.Random(20260401)

SKILLS = [
    "Python", "Java", "Go", "Rust", "TypeScript", "JavaScript", "React", "Vue", "Kotlin",
    "Swift", "C++", "C#", "SQL", "PostgreSQL", "MySQL", "AWS", "GCP", "Azure", "Docker",
    "Kubernetes", "Terraform", "Linux", "Kafka", "Spark", "pandas", "PyTorch", "TensorFlow",
    "Excel", "PowerPoint", "Figma", "Photoshop", "Illustrator", "marketing", "sales",
    "accounting", "statistics", "R", "MATLAB", "CAD", "Unity", "Android", "iOS", "Django",
    "FastAPI", "Rails", "Laravel", "Node.js",
    "データ分析", "機械学習", "営業", "経理", "マーケティング", "人事", "広報", "翻訳", "通訳",
    "接客", "法務", "品質管理", "生産管理", "設計", "デザイン", "編集", "企画", "研究開発",
]  # fmt: skip
ROLES = ["Backend engineer", "Frontend engineer", "Data analyst", "Data scientist",
         "Sales assistant", "Marketing assistant", "Designer", "Accountant", "エンジニア",
         "データアナリスト", "営業アシスタント", "デザイナー", "企画職", "研究職"]  # fmt: skip
WORDS = [
    "build", "team", "product", "customer", "data", "service", "system", "design", "develop",
    "support", "analysis", "research", "project", "client", "report", "market", "quality",
    "process", "improve", "manage", "plan", "test", "deploy", "user", "web", "mobile", "cloud",
    "platform", "api", "security", "network", "finance", "operation", "global", "startup",
    "intern", "learn", "experience", "communication", "presentation", "english", "japanese",
    "leadership", "travel", "volunteer", "club", "university", "study", "engineering",
    "economics", "law", "medicine", "science", "art", "music",
    "開発", "分析", "顧客", "企画", "運用", "改善", "提案", "経験", "大学", "研究",
    "チーム", "サービス", "プロジェクト", "データ", "設計", "品質", "海外", "営業",
]  # fmt: skip
KINDS = ["internship", "permanent", "temporary", "contract"]
MODES = ["on_site", "hybrid", "remote"]


def zipf_words(n: int) -> str:
    """`n` words drawn with a Zipf-like skew (a few common words, a long tail)."""
    return " ".join(WORDS[min(int(RNG.paretovariate(1.1)) - 1, len(WORDS) - 1)] for _ in range(n))


class MemoryKeyring:
    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}

    async def key_for(self, subject_id: str) -> bytes | Redacted:
        return self.keys.get(subject_id, ERASED)

    async def ensure(self, subject_id: str) -> bytes:
        return self.keys.setdefault(subject_id, new_data_key())

    async def destroy(self, subject_id: str) -> None:
        self.keys.pop(subject_id, None)


class NoToken:
    async def headers(self) -> dict[str, str]:
        return {}


def vacancy_row(i: int, now: datetime) -> tuple[Any, ...]:
    kind = KINDS[0] if i % 3 == 0 else RNG.choice(KINDS[1:])
    internship = None
    if kind == "internship":
        start = date(2026, 6, 1) + timedelta(days=RNG.randint(0, 150))
        internship = orjson.dumps({"start_date": start.isoformat(),
                                   "end_date": (start + timedelta(weeks=RNG.randint(2, 12))).isoformat(),
                                   "duration_weeks": None, "hours_per_week": 20,
                                   "paid": RNG.random() < 0.7, "stipend": None,
                                   "school_credit": False}).decode()  # fmt: skip
    skills = RNG.sample(SKILLS, RNG.randint(3, 8))
    title = f"{RNG.choice(ROLES)} {RNG.choice(['intern', 'インターン', '', 'junior'])}".strip()
    return (uuid.uuid4(), f"org-{i % ORGS}", title, zipf_words(RNG.randint(40, 120)), skills,
            "JP", True, now - timedelta(seconds=i), kind, RNG.choice(MODES), internship)  # fmt: skip


def student(i: int, keys: MemoryKeyring) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    subject = f"s{i}"
    key = keys.keys.setdefault(subject, new_data_key())
    cv = ResumeContent(skills=tuple(RNG.sample(SKILLS, RNG.randint(3, 8))),
                       desired_roles=tuple(RNG.sample(ROLES, RNG.randint(1, 2))),
                       languages=("Japanese", "English"), free_text=zipf_words(RNG.randint(20, 60)))  # fmt: skip
    prefs = MatchingPreferences()
    if RNG.random() < 0.3:
        start = date(2026, 5, 1) + timedelta(days=RNG.randint(0, 90))
        prefs = MatchingPreferences.model_validate(
            {"available": [{"start": start.isoformat(),
                            "end": (start + timedelta(days=RNG.randint(30, 120))).isoformat()}],
             "kinds": RNG.sample(KINDS, RNG.randint(1, 2))})  # fmt: skip
    doc = {"terms": dict(Counter(tokenize(text_of(cv)))), "prefs": prefs.model_dump(mode="json")}
    sealed_doc = seal(key, SERVICE, subject, DOC, orjson.dumps(doc).decode())
    sealed_cv = seal(key, SERVICE, subject, "cv", cv.model_dump_json())
    return (subject, uuid.uuid4(), 1, sealed_cv), (subject, sealed_doc, True)


async def seed(pool: asyncpg.Pool, keys: MemoryKeyring) -> list[uuid.UUID]:
    now = datetime.now(UTC)
    async with pool.acquire() as conn:
        await migrate(conn, LIBRARY, source("ac_matching"))
        await conn.copy_records_to_table(
            "organisations", records=[(f"org-{i}", f"Org {i}", "Tokyo", "Rep", "JP")
                                      for i in range(ORGS)])  # fmt: skip
        vacancies = [vacancy_row(i, now) for i in range(VACANCIES)]
        await conn.copy_records_to_table("vacancies", records=vacancies, columns=[
            "vacancy_id", "organization_id", "title", "description", "skills",
            "location_country", "open", "posted_at", "kind", "work_mode", "internship"])  # fmt: skip
        for start in range(0, CVS, 10_000):
            rows = [student(i, keys) for i in range(start, min(CVS, start + 10_000))]
            await conn.copy_records_to_table("cvs", records=[r[0] for r in rows])
            await conn.copy_records_to_table("ranking_docs", records=[r[1] for r in rows],
                                             columns=["subject_id", "doc_sealed", "assessable"])  # fmt: skip
    return [v[0] for v in vacancies]


async def timed(n: int, call: Callable[[int], Awaitable[object]]) -> tuple[list[float], float]:
    """Wall-clock milliseconds of each of `n` calls in turn, and their CPU seconds in all."""
    out = []
    cpu = time.process_time()
    for i in range(n):
        t = time.perf_counter()
        await call(i)
        out.append((time.perf_counter() - t) * 1000)
    return out, time.process_time() - cpu


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1] if len(values) > 1 else values[0]


def report(name: str, ms: list[float], cpu_s: float) -> None:
    print(f"  {name:<22} p50 {p(ms, 0.5):7.2f} ms   p99 {p(ms, 0.99):7.2f} ms   "
          f"max {max(ms):7.2f} ms   cpu {cpu_s / len(ms) * 1000:6.2f} ms/query")  # fmt: skip


async def main() -> None:
    server = os.environ["DATABASE_URL"]
    url = await create_database(server)
    port = free_port()
    bare = subprocess.Popen(  # noqa: ASYNC220 (started once, before anything is measured)
        [sys.executable, "-m", "uvicorn", "--factory", "bench.bare_app:create_app",
         "--port", str(port), "--log-level", "warning"], cwd=REPO_ROOT)  # fmt: skip
    pool = await asyncpg.create_pool(url, min_size=2, max_size=8)
    try:
        keys = MemoryKeyring()
        t = time.perf_counter()
        vacancy_ids = await seed(pool, keys)
        print(f"seeded {CVS} CVs and {VACANCIES} vacancies in {time.perf_counter() - t:.0f} s")
        index = LiveIndex(pool, keys)
        t, rss = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        await index.refresh()
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
        print(
            f"index loaded in {time.perf_counter() - t:.1f} s ({len(index.cvs)} CVs, "
            f"{len(index.vacancies)} vacancies; peak memory +{grown:.0f} MiB)"
        )
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(100):
                try:
                    await http.get("/docs")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            consent = ConsentClient(http, cast(ServiceToken, NoToken()))
            events = EventStore(pool, Codec(keys), "matching")
            matcher = Matcher(events, keys, consent, index, b"bench-candidate-key",
                              candidate_pages_per_hour=10**9)  # fmt: skip
            rows = {r["vacancy_id"]: r for r in await pool.fetch("SELECT * FROM vacancies")}
            subjects = [f"s{RNG.randrange(CVS)}" for _ in range(QUERIES)]
            chosen = [rows[RNG.choice(vacancy_ids)] for _ in range(QUERIES)]

            async def top10(i: int) -> None:
                _, ranked = await matcher.top_vacancies(subjects[i], None, None, 11)
                assert ranked

            async def candidates(i: int) -> None:
                items, _ = await matcher.candidates(chosen[i], None, 20)
                assert items

            async def one_row(i: int) -> None:
                await pool.fetchrow("SELECT * FROM vacancies WHERE vacancy_id = $1",
                                    chosen[i]["vacancy_id"])  # fmt: skip

            for warm in (top10, candidates, one_row):
                await timed(20, warm)
            load = os.getloadavg()
            print(
                f"\n{QUERIES} queries of each, one at a time (load average {load[0]:.1f} "
                f"{load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores):"
            )
            results = {}
            for name, call in (("top 10 vacancies", top10), ("candidate page (20)", candidates),
                               ("ceiling: one-row read", one_row)):  # fmt: skip
                ms, cpu_s = await timed(QUERIES, call)
                report(name, ms, cpu_s)
                results[name] = ms
            load = os.getloadavg()
            print(f"  (load average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})")
        top, cand, ceiling = (p(results[k], 0.99) for k in results)
        print(
            f"\nRESULT top10_p99_ms={top:.1f} candidates_p99_ms={cand:.1f} cvs={len(index.cvs)} "
            f"vacancies={len(index.vacancies)} ceiling_p99_ms={ceiling:.2f}"
        )
    finally:
        await pool.close()
        bare.terminate()
        bare.wait()
        await drop_database(server, url)


if __name__ == "__main__":
    asyncio.run(main())
