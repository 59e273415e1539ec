"""Matching as people see it: a student's top vacancies, a client's anonymous candidates.

Scores are computed when asked, over the open vacancies or the CVs held, and
only for students whose `vacancy_assessment` consent allows it now (asked of
the consent service, in one batch for a candidate list). A score that is new
or changed is recorded as `MatchScored`, so the log shows every assessment of
a person's data, and an auditor can check each was covered.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import orjson

from ac_contracts.errors import Refused
from ac_events.catalogue import MatchScored, Purpose, ResumeContent
from ac_events.catalogue.streams import matching_stream
from ac_events.keyring import Keyring
from ac_events.sealing import unseal
from ac_events.store import EventStore
from ac_matching import store
from ac_matching.commands import RECORDS_NEED_NO_VERSION, SERVICE
from ac_matching.domain import (
    METHOD,
    NO_RESUME,
    SeenResume,
    candidate_ref,
    candidate_summary,
    current_resume,
)
from ac_matching.ranking import cv_text, rank_cvs_for_vacancy, rank_vacancies_for_cv, vacancy_text
from ac_platform.peers import ConsentClient


def _ask(subject_id: str) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "purpose": Purpose.VACANCY_ASSESSMENT.value,
        "recipient": "*",
        "region": "JP",
    }


def text_of(cv: ResumeContent) -> str:
    return cv_text(
        cv.skills,
        cv.desired_roles,
        cv.desired_locations,
        cv.experience,
        cv.education,
        cv.languages,
        "\n".join(filter(None, [cv.free_text, cv.pdf_text])),
    )


def text_of_vacancy(v: asyncpg.Record) -> str:
    return vacancy_text(v["title"], v["description"], v["skills"], v["location_country"])


class Matcher:
    def __init__(
        self,
        events: EventStore,
        keyring: Keyring,
        consent: ConsentClient,
        candidate_key: bytes,
        top_n: int,
    ) -> None:
        self.events = events
        self.pool: asyncpg.Pool = events.pool
        self.keyring = keyring
        self.consent = consent
        self.candidate_key = candidate_key
        self.top_n = top_n

    async def top_vacancies(
        self, subject_id: str, seen: SeenResume | None = None
    ) -> list[tuple[asyncpg.Record, float]]:
        decision = await self.consent.decide(_ask(subject_id))
        if decision["decision"] != "allow":
            raise Refused(
                "consent_required", f"vacancy_assessment is not allowed: {decision['reason']}"
            )
        row = current_resume(await store.cv(self.pool, subject_id), seen)
        cv = await self._cv(subject_id, row["content_sealed"])
        if cv is None:
            raise Refused("resume_not_here_yet", NO_RESUME)
        vacancies = {str(v["vacancy_id"]): v for v in await store.open_vacancies(self.pool)}
        texts = {k: text_of_vacancy(v) for k, v in vacancies.items()}
        ranked = rank_vacancies_for_cv(text_of(cv), texts, self.top_n)
        await self._record([(subject_id, UUID(k), s) for k, s in ranked])
        return [(vacancies[k], s) for k, s in ranked]

    async def candidates(self, vacancy: asyncpg.Record) -> list[dict[str, Any]]:
        rows = await store.cvs(self.pool)
        decisions = await self.consent.decide_many([_ask(r["subject_id"]) for r in rows])
        cvs: dict[str, ResumeContent] = {}
        for row, decision in zip(rows, decisions, strict=True):
            if decision["decision"] == "allow":
                cv = await self._cv(row["subject_id"], row["content_sealed"])
                if cv is not None:
                    cvs[row["subject_id"]] = cv
        texts = {s: text_of(cv) for s, cv in cvs.items()}
        ranked = rank_cvs_for_vacancy(text_of_vacancy(vacancy), texts, self.top_n)
        vacancy_id = vacancy["vacancy_id"]
        await self._record([(s, vacancy_id, score) for s, score in ranked])
        return [
            {
                "candidate": candidate_ref(self.candidate_key, str(vacancy_id), s),
                "score": score,
                **candidate_summary(cvs[s], vacancy["skills"]),
            }
            for s, score in ranked
        ]

    async def _cv(self, subject_id: str, sealed: str) -> ResumeContent | None:
        key = await self.keyring.key_for(subject_id)
        if not isinstance(key, bytes):
            return None  # erased: nothing to assess
        return ResumeContent(**orjson.loads(unseal(key, SERVICE, subject_id, "cv", sealed)))

    async def _record(self, scores: list[tuple[str, UUID, float]]) -> None:
        if not scores:
            return
        async with self.pool.acquire() as conn, conn.transaction():
            for subject_id, vacancy_id, score in await store.changed_scores(conn, scores, METHOD):
                event = MatchScored(vacancy_id=vacancy_id, score=score, method=METHOD)
                await self.events.append(
                    matching_stream(subject_id),
                    RECORDS_NEED_NO_VERSION,
                    [event],
                    subject_id=subject_id,
                    conn=conn,
                )
