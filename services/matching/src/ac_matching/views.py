"""Matching as people see it: a student's top vacancies (with the reasons), a client's
anonymous candidates, the search of open vacancies. Every ranking reads the in-memory index
(`live.py`), filtered before it ranks.

A student's top vacancies need their `vacancy_assessment` consent (asked now); a client's
candidates are students whose consent allows it now (the index's hint, confirmed with the
consent service in one batch for the page), shown as an anonymous reference, a score and
the vacancy's own skills that matched: no CV text, nothing ranked on a part of a CV that
holds volunteered sensitive data ([H] issue 14 item 6), at most `candidate_depth` a vacancy,
`candidate_pages_per_hour` pages an organisation. A score shown is stored with the query
(one statement) and, when it is new or changed, recorded as `MatchScored` by the `scores`
worker a moment later: the log shows every assessment, and no query waits on the appends.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from ac_contracts.errors import Refused
from ac_contracts.matching import VacancySearch
from ac_events.catalogue import (
    MatchingPreferences,
    MatchScored,
    Purpose,
    ResumeContent,
    VacancyKind,
    WorkMode,
)
from ac_events.catalogue.streams import matching_stream
from ac_events.crypto import DecryptionError, decrypt, encrypt
from ac_events.keyring import Keyring
from ac_events.sealing import unseal
from ac_events.store import EventStore
from ac_matching import store, store_vacancies
from ac_matching.commands import RECORDS_NEED_NO_VERSION, SERVICE
from ac_matching.commands_vacancies import hour_of
from ac_matching.domain import (
    METHOD,
    NO_RESUME,
    Opportunity,
    SeenResume,
    candidate_ref,
    candidate_skills,
    current_resume,
    within_quota,
)
from ac_matching.live import LiveIndex
from ac_matching.ranking import cv_text, tokenize, vacancy_text
from ac_platform.clock import Clock, utc_now
from ac_platform.peers import ConsentClient

Ranked = list[tuple[Any, float, int]]


def _ask(subject_id: str) -> dict[str, Any]:
    return {"subject_id": subject_id, "purpose": Purpose.VACANCY_ASSESSMENT.value,
            "recipient": "*", "region": "JP"}  # fmt: skip


def text_of(cv: ResumeContent) -> str:
    free = "\n".join(filter(None, [cv.free_text, cv.pdf_text]))
    return cv_text(cv.skills, cv.desired_roles, cv.desired_locations, cv.experience,
                   cv.education, cv.languages, free)  # fmt: skip


def opportunity(v: Mapping[str, Any]) -> Opportunity:
    terms = orjson.loads(v["internship"]) if v["internship"] else {}
    start, end = terms.get("start_date"), terms.get("end_date")
    return Opportunity(VacancyKind(v["kind"]), WorkMode(v["work_mode"]),
                       date.fromisoformat(start) if start else None,
                       date.fromisoformat(end) if end else None, terms.get("duration_weeks"))  # fmt: skip


class Matcher:
    def __init__(
        self,
        events: EventStore,
        keyring: Keyring,
        consent: ConsentClient,
        index: LiveIndex,
        candidate_key: bytes,
        *,
        candidate_depth: int = 100,
        candidate_pages_per_hour: int = 600,
        clock: Clock = utc_now,
    ) -> None:
        self.events = events
        self.pool: asyncpg.Pool = events.pool
        self.keyring = keyring
        self.consent = consent
        self.index = index
        self.candidate_key = candidate_key
        self._cursor_key = encrypt_key(candidate_key)
        self.depth = candidate_depth
        self.pages_per_hour = candidate_pages_per_hour
        self.clock = clock

    async def _fresh(self) -> None:
        self.index.check_ready()
        await self.index.refresh()

    async def top_vacancies(
        self, subject_id: str, seen: SeenResume | None, after: tuple[float, int] | None, limit: int
    ) -> tuple[ResumeContent, Ranked]:
        decision = await self.consent.decide(_ask(subject_id))
        if decision["decision"] != "allow":
            raise Refused(
                "consent_required", f"vacancy_assessment is not allowed: {decision['reason']}"
            )
        row = current_resume(await store.cv(self.pool, subject_id), seen)
        key = await self.keyring.key_for(subject_id)
        if not isinstance(key, bytes):
            raise Refused("resume_not_here_yet", NO_RESUME)
        cv = ResumeContent(**orjson.loads(unseal(key, SERVICE, subject_id, "cv",
                                                 row["content_sealed"])))  # fmt: skip
        prefs = MatchingPreferences()
        sealed = await store.preferences(self.pool, subject_id)
        if sealed is not None:
            prefs = MatchingPreferences.model_validate_json(
                unseal(key, SERVICE, subject_id, "preferences", sealed)
            )
        await self._fresh()
        query = Counter(tokenize(text_of(cv)))
        ranked = self.index.top_vacancies(query, prefs, self.clock(), after, limit)
        await self._record([(subject_id, k, s) for k, s, _ in ranked])
        return cv, ranked

    async def search(self, f: VacancySearch, after: tuple[float, int] | None, limit: int) -> Ranked:
        await self._fresh()
        return self.index.search(f, self.clock(), after, limit)

    async def candidates(
        self, vacancy: Mapping[str, Any], cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of anonymous candidates and the (sealed) cursor of the next one."""
        org = vacancy["organization_id"]
        async with self.pool.acquire() as conn:
            used = await store_vacancies.use_quota(conn, org, "candidates", hour_of(self.clock()))
        within_quota(used, self.pages_per_hour, "candidate pages")
        after, seen = self._read_cursor(str(vacancy["vacancy_id"]), cursor)
        limit = min(limit, self.depth - seen)
        await self._fresh()
        query = Counter(tokenize(vacancy_text(vacancy["title"], vacancy["description"],
                                              vacancy["skills"], vacancy["location_country"])))  # fmt: skip
        chosen: Ranked = []
        while limit > 0 and len(chosen) <= limit:
            batch = self.index.candidates(query, opportunity(vacancy), after, 2 * limit + 1)
            if not batch:
                break
            decisions = await self.consent.decide_many([_ask(s) for s, _, _ in batch])
            chosen += [c for c, d in zip(batch, decisions, strict=True) if d["decision"] == "allow"]
            after = batch[-1][1], batch[-1][2]
        page, more = chosen[:limit], len(chosen) > limit and seen + limit < self.depth
        await self._record([(s, vacancy["vacancy_id"], score) for s, score, _ in page])
        vacancy_id = str(vacancy["vacancy_id"])
        items = [
            {"candidate": candidate_ref(self.candidate_key, vacancy_id, s), "score": score,
             "matched_skills": candidate_skills(vacancy["skills"], self.index.cvs.terms_of(s))}
            for s, score, _ in page if s in self.index.cvs
        ]  # fmt: skip
        nxt = self._cursor(vacancy_id, page[-1][1], page[-1][2], seen + len(page)) if more else None
        return items, nxt

    def _cursor(self, vacancy_id: str, score: float, tie: int, seen: int) -> str:
        """A candidate page's cursor names a person's place in the ranking: sealed, and bound
        to its vacancy, so a client can neither read nor move it to another vacancy."""
        plain = orjson.dumps([score, tie, seen])
        sealed = encrypt(self._cursor_key, plain, vacancy_id.encode())
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()

    def _read_cursor(
        self, vacancy_id: str, cursor: str | None
    ) -> tuple[tuple[float, int] | None, int]:
        if cursor is None:
            return None, 0
        try:
            sealed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            raw = decrypt(self._cursor_key, sealed, vacancy_id.encode())
            score, tie, seen = orjson.loads(raw)
            return (float(score), int(tie)), int(seen)
        except (DecryptionError, ValueError, TypeError, orjson.JSONDecodeError) as exc:
            raise Refused("bad_cursor", "this cursor is not one of this list") from exc

    async def _record(self, scores: list[tuple[str, UUID, float]]) -> None:
        if scores:
            await store.save_scores(self.pool, scores, METHOD)

    async def record_scores(self, batch: int = 1000) -> int:
        """The `scores` worker: each score shown and not yet recorded becomes `MatchScored`
        on the person's stream, and is marked, in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await store.unrecorded_scores(conn, batch)
            by_subject: dict[str, list[MatchScored]] = {}
            for r in rows:
                event = MatchScored(
                    vacancy_id=r["vacancy_id"], score=r["score"], method=r["method"]
                )
                by_subject.setdefault(r["subject_id"], []).append(event)
            for subject_id, events in by_subject.items():
                await self.events.append(matching_stream(subject_id), RECORDS_NEED_NO_VERSION,
                                         events, subject_id=subject_id, conn=conn)  # fmt: skip
            await store.mark_recorded(conn, rows)
        return len(rows)


def encrypt_key(candidate_key: bytes) -> bytes:
    """The AES-256 key of candidate cursors, derived from the candidate-reference key."""
    return hashlib.sha256(b"ac-matching:candidate-cursor:" + candidate_key).digest()
