"""The ranking index as each replica holds it: open vacancies and students' documents in
memory (`index.TermIndex`), loaded from matching's tables and kept current from them.

Why in memory: with 100,000 CVs a candidate list must not unseal a CV, nor ask one
consent decision a student; the index holds what ranking needs, already unsealed, and
filters before it ranks (kinds, ways of working, periods, consent) with numpy.

Why from the tables and not from Kafka: every replica needs every change, and a consumer
group shares partitions between replicas. The tables are written from the events (the
consumer, the commands), each write stamping its row with its transaction's id (`txid`) and
a newer `version`. A refresh reads, in one snapshot, the rows whose `txid` is at least the
oldest transaction still running at the previous refresh (`pg_snapshot_xmin`): a row a
late commit wrote is read then, never skipped (a barrier-free form of the outbox relay's
guarantee), and a row read twice is applied once (its `version`). Queries refresh first, so
a write that has returned is seen; the `ranking-index` worker refreshes between queries.

At rest the students' documents are sealed under each person's key (`ranking_docs.py`);
erasure empties the row and a refresh forgets the person here.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import asyncpg
import numpy as np
import orjson

from ac_contracts.errors import Refused
from ac_contracts.matching import VacancySearch as Search
from ac_events.catalogue import MatchingPreferences, VacancyKind, WorkMode
from ac_events.keyring import Keyring
from ac_matching.domain import Opportunity
from ac_matching.index import Mask, TermIndex
from ac_matching.ranking import tokenize, vacancy_text
from ac_matching.ranking_docs import read_document

log = logging.getLogger(__name__)

KINDS = list(VacancyKind)
MODES = list(WorkMode)
PERIODS = 12
"""At most this many periods a student (`MatchingPreferences.available`)."""
NONE = -1
_TIE = (1 << 63) - 1

VACANCY_COLUMNS = {"kind": "b", "mode": "b", "country": "i", "paid": "b", "posted": "d",
                   "deadline": "d", "start": "i", "end": "i", "days": "i"}  # fmt: skip
CV_COLUMNS = {"assessable": "b", "kinds": "b", "modes": "b",
              **{f"p{i}{e}": "i" for i in range(PERIODS) for e in "se"}}  # fmt: skip


def tie_of(text: str) -> int:
    """A stable 63-bit number to order equal scores (of a vacancy id, or a person: never shown
    unsealed)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") & _TIE


def _bits(values: Iterable[Any], universe: list[Any]) -> int:
    return sum(1 << universe.index(v) for v in values)


def _ordinal(d: str | date | None) -> int:
    if d is None:
        return NONE
    return (d if isinstance(d, date) else date.fromisoformat(d)).toordinal()


def vacancy_values(row: Any) -> dict[str, Any]:
    terms = orjson.loads(row["internship"]) if row["internship"] else None
    deadline = row["deadline"]
    return {
        "tie": tie_of(str(row["vacancy_id"])),
        "kind": KINDS.index(VacancyKind(row["kind"])),
        "mode": MODES.index(WorkMode(row["work_mode"])),
        "country": country_code(row["location_country"]),
        "paid": 0 if terms is not None and not terms["paid"] else 1,
        "posted": row["posted_at"].timestamp(),
        "deadline": deadline.timestamp() if deadline else float("inf"),
        "start": _ordinal(terms and terms.get("start_date")),
        "end": _ordinal(terms and terms.get("end_date")),
        "days": (terms["duration_weeks"] or 0) * 7
        if terms and terms.get("duration_weeks")
        else NONE,
    }


def cv_values(subject_id: str, prefs: MatchingPreferences, assessable: bool) -> dict[str, Any]:
    values: dict[str, Any] = {"tie": tie_of(subject_id), "assessable": int(assessable),
                              "kinds": _bits(prefs.kinds, KINDS),
                              "modes": _bits(prefs.work_modes, MODES)}  # fmt: skip
    periods = list(prefs.available)[:PERIODS]
    for i in range(PERIODS):
        p = periods[i] if i < len(periods) else None
        values[f"p{i}s"] = p.start.toordinal() if p else NONE
        values[f"p{i}e"] = p.end.toordinal() if p else NONE
    return values


def country_code(region: str) -> int:
    return ord(region[0]) << 8 | ord(region[1])


def vacancy_terms(row: Any) -> Counter[str]:
    text = vacancy_text(row["title"], row["description"], row["skills"], row["location_country"])
    return Counter(tokenize(text))


class LiveIndex:
    def __init__(self, pool: asyncpg.Pool, keyring: Keyring) -> None:
        self.pool = pool
        self.keyring = keyring
        self.vacancies = TermIndex(VACANCY_COLUMNS)
        self.cvs = TermIndex(CV_COLUMNS)
        self._versions: dict[Any, int] = {}
        self._xmin: str | None = None
        self._lock = asyncio.Lock()

    @property
    def loaded(self) -> bool:
        return self._xmin is not None

    async def refresh(self) -> None:
        """Reads what changed since the last refresh (everything, the first time)."""
        async with self._lock:
            since = self._xmin
            vacancies = await self._changed("vacancies", "v.open", since)
            docs = await self._changed("ranking_docs", "v.doc_sealed IS NOT NULL", since)
            for row in vacancies[1]:
                self._vacancy(row)
            await self._docs(docs[1])
            self._xmin = min(vacancies[0], docs[0], key=int)

    async def _changed(
        self, table: str, first: str, since: str | None
    ) -> tuple[str, list[asyncpg.Record]]:
        """One statement, so one snapshot: its oldest running transaction, and the rows of
        `table` that changed since `since` (or all those of `first`, the first time)."""
        where = first if since is None else "v.txid >= $1::text::xid8"
        rows = await self.pool.fetch(
            f"""WITH s AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin)
                SELECT s.xmin AS snapshot_xmin, v.* FROM s LEFT JOIN {table} v ON {where}""",  # noqa: S608
            *(() if since is None else (since,)),
        )
        return rows[0]["snapshot_xmin"], [r for r in rows if r["txid"] is not None]

    def _newer(self, key: Any, version: int) -> bool:
        if self._versions.get(key, -1) >= version:
            return False
        self._versions[key] = version
        return True

    def _vacancy(self, row: Any) -> None:
        key = row["vacancy_id"]
        if not self._newer(key, row["version"]):
            return
        if row["open"]:
            self.vacancies.add(key, vacancy_terms(row), **vacancy_values(row))
        else:
            self.vacancies.remove(key)

    async def _docs(self, rows: list[asyncpg.Record]) -> None:
        fresh = [r for r in rows if self._newer(("cv", r["subject_id"]), r["version"])]
        keys: list[Any] = []
        for start in range(0, len(fresh), 256):  # the keyring answers a batch at once
            chunk = fresh[start : start + 256]
            keys += await asyncio.gather(*(self.keyring.key_for(r["subject_id"]) for r in chunk
                                           if r["doc_sealed"]))  # fmt: skip
        found = iter(keys)
        for row in fresh:
            subject = row["subject_id"]
            key = next(found) if row["doc_sealed"] else None
            if not isinstance(key, bytes):
                self.cvs.remove(subject)
                continue
            doc = read_document(key, subject, row["doc_sealed"])
            prefs = MatchingPreferences.model_validate(doc["prefs"])
            self.cvs.add(subject, doc["terms"], **cv_values(subject, prefs, row["assessable"]))

    def check_ready(self) -> None:
        if not self.loaded:
            raise Refused("unavailable", "the ranking index is still loading: try again")

    # ------------------------------------------------------------ filters before ranking

    def vacancy_mask(self, prefs: MatchingPreferences, now: datetime) -> Mask:
        """Open vacancies still taking applications that fit the student (`domain.fits`)."""
        v = self.vacancies
        ok: Mask = v.column("deadline") > now.timestamp()
        kind, mode = v.column("kind"), v.column("mode")
        if prefs.kinds:
            ok &= np.isin(kind, [KINDS.index(k) for k in prefs.kinds])
        if prefs.work_modes:
            ok &= np.isin(mode, [MODES.index(m) for m in prefs.work_modes])
        if prefs.available:
            start, end, days = v.column("start"), v.column("end"), v.column("days")
            dated, inside, long_enough = start != NONE, np.zeros_like(ok), np.zeros_like(ok)
            for p in prefs.available:
                s, e = p.start.toordinal(), p.end.toordinal()
                inside |= (start >= s) & (end <= e)
                long_enough |= days <= e - s + 1
            internship = kind == KINDS.index(VacancyKind.INTERNSHIP)
            ok &= ~internship | np.where(dated, inside, long_enough)
        return ok

    def candidate_mask(self, o: Opportunity) -> Mask:
        """Students with a vacancy_assessment consent whom the vacancy fits (`domain.fits`)."""
        c = self.cvs
        ok: Mask = c.column("assessable") == 1
        kinds, modes = c.column("kinds"), c.column("modes")
        ok &= (kinds == 0) | ((kinds & (1 << KINDS.index(o.kind))) != 0)
        ok &= (modes == 0) | ((modes & (1 << MODES.index(o.work_mode))) != 0)
        if o.kind is VacancyKind.INTERNSHIP:
            stated, fitting = c.column("p0s") != NONE, np.zeros_like(ok)
            for i in range(PERIODS):
                s, e = c.column(f"p{i}s"), c.column(f"p{i}e")
                if o.start is not None and o.end is not None:
                    fitting |= (s != NONE) & (s <= o.start.toordinal()) & (e >= o.end.toordinal())
                else:
                    fitting |= (s != NONE) & (e - s + 1 >= (o.duration_weeks or 0) * 7)
            ok &= ~stated | fitting
        return ok

    # ------------------------------------------------------------ queries

    def top_vacancies(
        self,
        cv: Counter[str],
        prefs: MatchingPreferences,
        now: datetime,
        after: tuple[float, int] | None,
        limit: int,
    ) -> list[tuple[Any, float, int]]:
        """A student's best open vacancies, of those that fit them."""
        return self.vacancies.best(cv, self.vacancy_mask(prefs, now), limit, after)

    def candidates(
        self, vacancy: Counter[str], o: Opportunity, after: tuple[float, int] | None, limit: int
    ) -> list[tuple[Any, float, int]]:
        """A vacancy's best students, of those it fits (consent confirmed by the caller)."""
        return self.cvs.best(vacancy, self.candidate_mask(o), limit, after)

    def search(
        self, f: Search, now: datetime, after: tuple[float, int] | None, limit: int
    ) -> list[tuple[Any, float, int]]:
        """Open vacancies by filters and words (every term of `q`), newest or best first; the
        float of each is its sort key (posting time, or BM25 score)."""
        v = self.vacancies
        deadline = v.column("deadline")
        ok: Mask = deadline > now.timestamp()
        if f.kind is not None:
            ok &= v.column("kind") == KINDS.index(f.kind)
        if f.country is not None:
            ok &= v.column("country") == country_code(f.country)
        if f.remote is not None:
            remote = np.isin(v.column("mode"), [MODES.index(WorkMode.REMOTE),
                                                 MODES.index(WorkMode.HYBRID)])  # fmt: skip
            ok &= remote if f.remote else ~remote
        if f.paid is not None:
            ok &= v.column("paid") == int(f.paid)
        if f.deadline_after is not None:
            day = datetime.combine(f.deadline_after, datetime.min.time(), tzinfo=now.tzinfo)
            ok &= deadline >= day.timestamp()
        terms = tokenize(f.q or "")
        if terms:
            ok &= v.containing(terms)
        if f.sort == "best" and terms:
            return v.best(Counter(terms), ok, limit, after)
        return v.top(v.column("posted").copy(), ok, limit, after)
