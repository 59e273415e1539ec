"""Running a CV command: read the text, guard it, decide, record — the record in one
transaction.

- The PDF's text is extracted and the guard (`sensitive.detect`) reads everything,
  both off the event loop: they are CPU-bound.
- What the person volunteers is first recorded by the consent service as their
  consent to acquire it (with their own token: it is their act).
- Then, in one transaction: the person's CV row is locked, the rules decide
  (`domain.decide_write`), the row, the declarations and the events are written,
  the events at the version of the person's stream read under that lock.
"""

from __future__ import annotations

import asyncio
import base64
import uuid

import httpx
import orjson

from ac_contracts.errors import Refused
from ac_contracts.resumes import ResumeBody, ResumeOut, Volunteering
from ac_events.catalogue import Purpose, ResumeContent
from ac_events.catalogue.streams import resume_stream
from ac_events.catalogue.vocab import SensitiveCategory
from ac_events.sealing import seal, unseal
from ac_resumes import store
from ac_resumes.deps import ResumesDeps
from ac_resumes.domain import Cv, Write, all_text, decide_delete, decide_write, guard
from ac_resumes.pdf import BadPdf, extract_text
from ac_sensitive import detect

SERVICE = "resumes"


async def _key(deps: ResumesDeps, subject_id: str) -> bytes:
    key = await deps.keyring.key_for(subject_id)  # unreachable: the skeleton's 503
    if not isinstance(key, bytes):
        raise Refused("erased", "this person has been erased")
    return key


async def read_content(body: ResumeBody) -> ResumeContent:
    """The CV as written, with the text of its PDF (extracted in a worker thread)."""
    pdf_text = None
    if body.pdf_base64 is not None:
        try:
            data = base64.b64decode(body.pdf_base64, validate=True)
        except ValueError as exc:  # binascii.Error, or a character outside ASCII
            raise Refused("bad_pdf", "pdf_base64 is not base64") from exc
        try:
            pdf_text = await asyncio.to_thread(extract_text, data)
        except BadPdf as exc:
            raise Refused("bad_pdf", str(exc)) from exc
    return ResumeContent(
        education=tuple(body.education),
        experience=tuple(body.experience),
        skills=tuple(body.skills),
        languages=tuple(body.languages),
        desired_roles=tuple(body.desired_roles),
        desired_locations=tuple(body.desired_locations),
        free_text=body.free_text,
        pdf_text=pdf_text,
    )


async def consent_to_acquire(
    deps: ResumesDeps, subject_id: str, v: Volunteering, bearer: str
) -> None:
    """The person's consent to acquire what they volunteer, recorded by the consent service
    (asked with resumes' own token, for the person whose token this call came with)."""
    grant = {
        "purpose": Purpose.RECRUITMENT_SERVICES.value,
        "sensitive_categories": [c.value for c in v.categories],
        "policy_version": v.policy_version,
        "channel": "resume_form",
    }
    try:
        headers = {**await deps.peers.service_token.headers(), "x-on-behalf-of": bearer}
        r = await deps.peers.consent_http.post(
            f"/subjects/{subject_id}/consents", json=grant, headers=headers
        )
    except httpx.HTTPError as exc:
        raise Refused("consent_unavailable", "try again later") from exc
    if 400 <= r.status_code < 500:
        detail = r.json().get("detail")
        if not isinstance(detail, dict):
            raise Refused("invalid_input", "the consent service refused the volunteered data")
        raise Refused(str(detail.get("reason")), str(detail.get("message", "refused")))
    if r.status_code >= 500:
        raise Refused("consent_unavailable", "try again later")


async def write(
    deps: ResumesDeps, subject_id: str, body: ResumeBody, *, new: bool, bearer: str
) -> ResumeOut:
    content = await read_content(body)
    found = frozenset(await asyncio.to_thread(detect, all_text(content)))
    volunteered = tuple(body.volunteer.categories) if body.volunteer else ()
    command = Write(content, new, found, volunteered)
    declared = [SensitiveCategory(c) for c in await store.declared(deps.db, subject_id)]
    guard(command, declared)  # before anything is recorded elsewhere
    key = await _key(deps, subject_id)
    if body.volunteer:
        await consent_to_acquire(deps, subject_id, body.volunteer, bearer)
    sealed = seal(key, SERVICE, subject_id, "content", content.model_dump_json())
    stream = resume_stream(subject_id)
    async with deps.db.acquire() as conn, conn.transaction():
        row = await store.resume(conn, subject_id, lock=True)
        current = Cv(row["resume_id"], row["revision"]) if row else None
        written = decide_write(current, declared, command, uuid.uuid4())
        if volunteered:
            await store.declare(conn, subject_id, [c.value for c in volunteered])
        await store.save_resume(conn, subject_id, written.resume_id, written.revision, sealed,
                                content.pdf_text is not None)  # fmt: skip
        version = await deps.events.stream_version(stream, conn)
        await deps.events.append(stream, version, written.events, subject_id=subject_id, conn=conn)
    return await read(deps, subject_id)


async def read(deps: ResumesDeps, subject_id: str) -> ResumeOut:
    row = await store.resume(deps.db, subject_id)
    if row is None:
        raise Refused("no_resume", "no CV")
    key = await _key(deps, subject_id)
    content = orjson.loads(unseal(key, SERVICE, subject_id, "content", row["content_sealed"]))
    declared = [SensitiveCategory(c) for c in await store.declared(deps.db, subject_id)]
    return ResumeOut(resume_id=row["resume_id"], revision=row["revision"], has_pdf=row["has_pdf"],
                     updated_at=row["updated_at"], declared_sensitive=declared,
                     content=ResumeContent(**content))  # fmt: skip


async def delete(deps: ResumesDeps, subject_id: str) -> None:
    stream = resume_stream(subject_id)
    async with deps.db.acquire() as conn, conn.transaction():
        row = await store.resume(conn, subject_id, lock=True)
        events = decide_delete(Cv(row["resume_id"], row["revision"]) if row else None)
        await store.delete_resume(conn, subject_id)
        version = await deps.events.stream_version(stream, conn)
        await deps.events.append(stream, version, events, subject_id=subject_id, conn=conn)
