"""The students' side of the ranking index, at rest: one row a person (`ranking_docs`),
written from the events in the transaction that changes what it is made of.

A row holds the terms of the person's CV that a client may be matched on and the person's
preferences, sealed under the person's key, and whether consent.events says they hold a
`vacancy_assessment` consent. The terms are the CV's, less every part (an item of a list,
a sentence of the free text or of the PDF) in which the sensitive-data guard finds
special care-required information: a client's candidate list is never ranked on what a
student volunteered ([H] issue 14 item 6). Erasure empties the row (`store.forget`), and the
destroyed key shreds any copy left.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import asyncpg
import orjson

from ac_events.catalogue import MatchingPreferences, ResumeContent
from ac_events.sealing import seal, unseal
from ac_matching import store
from ac_matching.ranking import cv_text, tokenize
from ac_sensitive import detect

SERVICE = "matching"
DOC = "ranking_doc"
_SENTENCE = re.compile(r"(?<=[。．.!?！？])\s*|\n+")


def _safe(parts: Sequence[str]) -> tuple[str, ...]:
    return tuple(p for p in parts if not detect(p))


def client_safe_text(cv: ResumeContent) -> str:
    """The CV as one text to rank for clients, without the parts that reveal anything the
    guard finds (weighted as `ranking.cv_text`)."""
    free = "\n".join(filter(None, [cv.free_text, cv.pdf_text]))
    sentences = [s for s in _SENTENCE.split(free) if s.strip()]
    return cv_text(
        _safe(cv.skills),
        _safe(cv.desired_roles),
        _safe(cv.desired_locations),
        _safe(cv.experience),
        _safe(cv.education),
        _safe(cv.languages),
        "\n".join(_safe(sentences)),
    )


def document(cv: ResumeContent, prefs: MatchingPreferences | None) -> dict[str, Any]:
    """What the index holds of a person: term counts, and preferences."""
    terms = Counter(tokenize(client_safe_text(cv)))
    return {"terms": dict(terms), "prefs": (prefs or MatchingPreferences()).model_dump(mode="json")}


def read_document(key: bytes, subject_id: str, sealed: str) -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads(unseal(key, SERVICE, subject_id, DOC, sealed))
    return doc


async def reindex(conn: asyncpg.Connection, key: bytes, subject_id: str) -> None:
    """Rewrites the person's row from their CV and preferences as stored now. Under the
    person's lock: two writers (a CV read from the log, preferences stated) each read what
    the other committed, so the last to commit writes both."""
    await store.lock_subject(conn, subject_id)
    row = await store.cv(conn, subject_id)
    sealed_prefs = await store.preferences(conn, subject_id)
    doc_sealed = None
    if row is not None:
        cv = ResumeContent(**orjson.loads(unseal(key, SERVICE, subject_id, "cv",
                                                 row["content_sealed"])))  # fmt: skip
        prefs = None
        if sealed_prefs is not None:
            prefs = MatchingPreferences.model_validate_json(
                unseal(key, SERVICE, subject_id, "preferences", sealed_prefs)
            )
        doc = await asyncio.to_thread(document, cv, prefs)
        doc_sealed = seal(key, SERVICE, subject_id, DOC, orjson.dumps(doc).decode())
    await save(conn, subject_id, doc_sealed=doc_sealed)


async def save(conn: asyncpg.Connection, subject_id: str, **values: Any) -> None:
    """Upserts the person's row (`doc_sealed`, and/or `assessable` recomputed from the
    consents read), telling the index's replicas."""
    assessable = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM assessment_consents WHERE subject_id = $1)", subject_id
    )
    keep_doc = "doc_sealed" not in values
    await conn.execute(
        """INSERT INTO ranking_docs (subject_id, doc_sealed, assessable) VALUES ($1, $2, $3)
           ON CONFLICT (subject_id) DO UPDATE SET
               doc_sealed = CASE WHEN $4 THEN ranking_docs.doc_sealed ELSE EXCLUDED.doc_sealed END,
               assessable = EXCLUDED.assessable,
               txid = pg_current_xact_id(), version = nextval('ranking_version')""",
        subject_id,
        values.get("doc_sealed"),
        assessable,
        keep_doc,
    )
