"""`ac-audit subject <id>`: everything about one person, as of any time, from the log alone.

In the form an APPI disclosure request is answered: the personal data held
(readable only while their key exists), their consents now and their history,
their objections, and the record of every provision of their data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from ac_audit.state import LogState
from ac_consent_rules.rules import Person, evolve_person
from ac_contracts.audit import SubjectRecord
from ac_events.catalogue.base import Redacted
from ac_events.codec import Codec, UndecodableEvent
from ac_events.keyring import Keyring

PROFILE_EVENTS = ("UserRegistered", "ProfileUpdated")
RESUME_EVENTS = ("ResumeSubmitted", "ResumeRevised", "ResumeDeleted")


def _before(at: datetime, as_of: datetime | None) -> bool:
    return as_of is None or at <= as_of


def _value(v: Any) -> Any:
    return v.model_dump() if isinstance(v, Redacted) else v


async def subject_record(
    state: LogState, keyring: Keyring, as_of: datetime | None = None
) -> SubjectRecord:
    subject = state.keep_subject
    if subject is None:
        raise ValueError("the replay kept no subject's records")
    codec = Codec(keyring)
    profile: dict[str, Any] = {}
    resume: dict[str, Any] | None = None
    for meta, data in state.kept:
        if not _before(meta.occurred_at, as_of) or meta.type not in (
            *PROFILE_EVENTS,
            *RESUME_EVENTS,
        ):
            continue
        try:
            payload = (await codec.open(data)).payload
        except (UndecodableEvent, ValueError, KeyError):
            continue
        fields = payload.model_dump()
        if meta.type in PROFILE_EVENTS:
            keep = ("username", "name", "email", "gender", "school", "language", "role")
            for name in keep:
                value = getattr(payload, name, None)
                if value is not None or name not in profile:
                    profile[name] = _value(value) if value is not None else profile.get(name)
        elif meta.type == "ResumeDeleted":
            resume = None
        else:
            content = getattr(payload, "content", None)
            readable = content.model_dump(mode="json") if isinstance(content, BaseModel) else None
            shown = content.model_dump() if isinstance(content, Redacted) else readable
            resume = {"resume_id": str(fields["resume_id"]), "content": shown}
    person, history = Person(), []
    for _, fact in state.person_facts.get(subject, []):
        if _before(fact.at, as_of):
            person = evolve_person(person, fact)
            said = fact.event.model_dump(mode="json")
            history.append(
                {"at": fact.at, "event_id": str(fact.event_id), "type": fact.event.type, **said}
            )
    erased_at = state.erased_at.get(subject)
    erased = erased_at is not None and _before(erased_at, as_of)
    shares = [s for s in state.shares if s.meta.subject_id == subject]
    blocked = [b for b in state.blocked if b.meta.subject_id == subject]
    return SubjectRecord(
        subject_id=subject,
        as_of=as_of,
        erased=erased,
        erased_at=erased_at if erased else None,
        profile=profile,
        resume=resume,
        consents=[_consent(c) for c in person.consents.values()],
        withdrawn=[{**_consent(c), "withdrawn_by": str(w)} for c, w in person.withdrawn.values()],
        objections=sorted(str(t) for t in person.objections),
        history=history,
        provisions=[
            {"event_id": s.meta.event_id, **s.payload}
            for s in shares
            if _before(s.meta.occurred_at, as_of)
        ],
        blocked=[
            {"event_id": b.meta.event_id, **b.payload}
            for b in blocked
            if _before(b.meta.occurred_at, as_of)
        ],
    )


def _consent(c: Any) -> dict[str, Any]:
    return {
        "consent_id": str(c.consent_id),
        "event_id": str(c.event_id),
        "purpose": c.purpose.value,
        "recipient": c.recipient,
        "region": c.region,
        "data_categories": sorted(d.value for d in c.data_categories),
        "sensitive_categories": sorted(d.value for d in c.sensitive_categories),
        "policy_version": c.policy_version,
        "since": c.since.isoformat(),
    }
