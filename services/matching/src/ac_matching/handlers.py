"""Other services' events -> matching's own copies: organisations, people, CVs, and which
students hold a `vacancy_assessment` consent (a hint for the ranking index); and the
notices owed to clients that received data since corrected or erased (`recipients.py`).

Personal values arrive decrypted by the codec and are kept sealed under the
person's key (`people.details_sealed`, `cvs.content_sealed`, `ranking_docs`); an
erasure removes them (and the key's destruction would shred them anyway), and ends the
person's open applications (their organisations are told).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg
import orjson

from ac_events.catalogue import (
    ClientOrganizationRegistered,
    ConsentGranted,
    ConsentWithdrawn,
    ErasureRequested,
    ProfileUpdated,
    Purpose,
    ResumeContent,
    ResumeDeleted,
    ResumeRevised,
    ResumeSubmitted,
    Role,
    SensitiveDataDeclared,
    SubjectErased,
    UserRegistered,
)
from ac_events.consumer import Handler
from ac_events.envelope import Envelope
from ac_events.keyring import Keyring
from ac_events.sealing import seal, unseal
from ac_events.store import EventStore
from ac_matching import ranking_docs, store
from ac_matching.commands_applications import end_for_erasure
from ac_matching.recipients import note_change, note_erasure

GROUP = "matching"
SOURCES = ("identity", "resumes", "consent")
SERVICE = "matching"
DETAILS = ("name", "email", "gender", "school")


def make_handlers(keyring: Keyring, events: EventStore) -> dict[str, Handler]:
    async def key(subject_id: str | None) -> bytes | None:
        k = await keyring.key_for(subject_id) if subject_id else None
        return k if isinstance(k, bytes) else None

    async def organisation(
        conn: asyncpg.Connection, env: Envelope[ClientOrganizationRegistered]
    ) -> None:
        await store.save_organisation(conn, env.payload.model_dump(mode="json"))

    async def registered(conn: asyncpg.Connection, env: Envelope[UserRegistered]) -> None:
        e, subject = env.payload, env.subject_id
        k = await key(subject)
        if e.role != Role.STUDENT or subject is None or k is None:
            return
        details = {f: v if isinstance(v := getattr(e, f), str) else None for f in DETAILS}
        await store.save_person(conn, subject, seal(k, SERVICE, subject, "details", _json(details)))

    async def profile(conn: asyncpg.Connection, env: Envelope[ProfileUpdated]) -> None:
        e, subject = env.payload, env.subject_id
        k = await key(subject)
        sealed = await store.person(conn, subject) if subject else None
        if subject is None or k is None or sealed is None:
            return
        details: dict[str, str | None] = orjson.loads(
            unseal(k, SERVICE, subject, "details", sealed)
        )
        changed = {
            f: v for f in DETAILS if isinstance(v := getattr(e, f), str) and v != details.get(f)
        }
        removed: dict[str, str | None] = dict.fromkeys(e.removed)
        details.update({**changed, **removed})
        await store.save_person(conn, subject, seal(k, SERVICE, subject, "details", _json(details)))
        await note_change(conn, subject, set(changed) | set(removed))

    async def resume(
        conn: asyncpg.Connection, env: Envelope[ResumeSubmitted | ResumeRevised]
    ) -> None:
        e, subject = env.payload, env.subject_id
        k = await key(subject)
        if subject is None or k is None or not isinstance(e.content, ResumeContent):
            return
        revision = e.revision if isinstance(e, ResumeRevised) else 1
        sealed = seal(k, SERVICE, subject, "cv", e.content.model_dump_json())
        await store.save_cv(conn, subject, e.resume_id, revision, sealed)
        await ranking_docs.reindex(conn, k, subject)

    async def deleted(conn: asyncpg.Connection, env: Envelope[ResumeDeleted]) -> None:
        if env.subject_id:
            await store.delete_cv(conn, env.subject_id, env.payload.resume_id)
            await ranking_docs.save(conn, env.subject_id, doc_sealed=None)

    async def assessment(
        conn: asyncpg.Connection, env: Envelope[ConsentGranted | ConsentWithdrawn]
    ) -> None:
        e, subject = env.payload, env.subject_id
        if subject is None or e.purpose != Purpose.VACANCY_ASSESSMENT or e.recipient != "*":
            return
        active = isinstance(e, ConsentGranted)
        await store.assessment_consent(conn, e.consent_id, subject, active)
        await ranking_docs.save(conn, subject)

    async def declared(conn: asyncpg.Connection, env: Envelope[SensitiveDataDeclared]) -> None:
        if env.subject_id:
            await store.declare(conn, env.subject_id, [c.value for c in env.payload.categories])

    async def erased(
        conn: asyncpg.Connection, env: Envelope[ErasureRequested | SubjectErased]
    ) -> None:
        if env.subject_id:
            if isinstance(env.payload, ErasureRequested):
                await note_erasure(conn, env.subject_id)
            await store.forget(conn, env.subject_id)
            await end_for_erasure(conn, events, env.subject_id, env.occurred_at)

    table: list[
        tuple[type[Any], Callable[[asyncpg.Connection, Any], Coroutine[Any, Any, None]]]
    ] = [
        (ClientOrganizationRegistered, organisation),
        (UserRegistered, registered),
        (ProfileUpdated, profile),
        (ResumeSubmitted, resume),
        (ResumeRevised, resume),
        (ResumeDeleted, deleted),
        (SensitiveDataDeclared, declared),
        (ConsentGranted, assessment),
        (ConsentWithdrawn, assessment),
        (ErasureRequested, erased),
        (SubjectErased, erased),
    ]
    return {event.type: handler for event, handler in table}


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()
