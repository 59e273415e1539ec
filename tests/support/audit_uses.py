"""[E] #18: the uses of a seeded history (scores, job alerts, marketing), for the audit.

Each use is decided as the services decide it (`decide_flow` on the generator's fold, for
the purpose, inside the company in Japan: `ac_platform.uses`) and recorded citing that
decision at its position; a refused one is recorded as refused (a job alert not sent is
`NotificationFailed` with a refused use), as notifications does. `plant_uses` writes the
three violations the issue names, bypassing the services.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from ac_consent_rules.rules import FlowRequest, decide_flow
from ac_events.catalogue import (
    ConsentGranted,
    ConsentWithdrawn,
    DecisionReason,
    DecisionRef,
    Language,
    MatchScored,
    NotificationFailed,
    NotificationKind,
    NotificationSent,
    Purpose,
    UseBasis,
    UseRef,
)
from ac_events.catalogue.base import Event
from ac_events.catalogue.streams import matching_stream, notifications_stream

if TYPE_CHECKING:
    from tests.support.audit_seed import History, Someone

USE_PURPOSES = (Purpose.VACANCY_ASSESSMENT, Purpose.CV_AND_JOB_ALERTS, Purpose.MARKETING)
MESSAGES = {Purpose.CV_AND_JOB_ALERTS: NotificationKind.JOB_ALERT,
            Purpose.MARKETING: NotificationKind.MARKETING}  # fmt: skip


async def grant_use(h: History, someone: Someone, purpose: Purpose) -> str:
    event = ConsentGranted(consent_id=uuid.uuid4(), purpose=purpose, recipient="*", region="JP",
                           policy_version=h.policy_version)  # fmt: skip
    return await h.consent_fact(someone, event)


def decided(h: History, someone: Someone, purpose: Purpose) -> UseRef:
    """The use as the consent service would decide it now."""
    d = decide_flow(h.policies, someone.person, FlowRequest(purpose, "*", "JP"))
    if not d.allow:
        return UseRef(purpose=purpose, basis=UseBasis.REFUSED, denied=d.reason)
    ref = DecisionRef(reason=d.reason, consent_event_ids=d.consent_event_ids,
                      position=h.position(someone))  # fmt: skip
    return UseRef(purpose=purpose, basis=UseBasis.CONSENT, decision=ref)


async def score(h: History, someone: Someone, use: UseRef | None = None) -> str | None:
    """A score shown (only when allowed, as matching shows none otherwise)."""
    use = use or decided(h, someone, Purpose.VACANCY_ASSESSMENT)
    if not use.allowed:
        return None
    event = MatchScored(vacancy_id=uuid.uuid4(), score=round(h.rng.random(), 3),
                        method="bm25-v1", use=use)  # fmt: skip
    stream = matching_stream(someone.subject)
    return await h.w.emit("matching", stream, event, someone.subject, h.tick(1))


async def message(h: History, someone: Someone, purpose: Purpose, use: UseRef | None = None) -> str:
    """A job alert or a marketing email: sent when allowed, else failed as refused."""
    use = use or decided(h, someone, purpose)
    kind, subject = MESSAGES[purpose], someone.subject
    key = f"{uuid.uuid4()}:{kind.value}:{subject}"
    common = {"message_id": uuid.uuid5(uuid.NAMESPACE_URL, key), "kind": kind,
              "language": Language.JA, "idempotency_key": key,
              "address": f"{subject[:8]}@example.jp", "use": use}  # fmt: skip
    event: Event = (
        NotificationSent(**common)
        if use.allowed
        else NotificationFailed(**common, reason=f"no_consent: {use.denied}", permanent=True)
    )
    stream = notifications_stream(subject)
    return await h.w.emit("notifications", stream, event, subject, h.tick(1))


async def some_uses(h: History, someone: Someone) -> None:
    """One round of a person's uses: now and then a consent to a use, a score, an alert."""
    roll = h.rng.random()
    if roll < 0.2:
        await grant_use(h, someone, h.rng.choice(USE_PURPOSES))
    if h.rng.random() < 0.3:
        await score(h, someone)
    if h.rng.random() < 0.15:
        await message(h, someone, h.rng.choice(list(MESSAGES)))


async def plant_uses(h: History, fresh: list[Someone]) -> None:
    """A job alert after cv_and_job_alerts was withdrawn, a score with no vacancy_assessment
    consent, a marketing email to someone who never opted in."""
    alerted, scored, mailed = fresh
    grant = await grant_use(h, alerted, Purpose.CV_AND_JOB_ALERTS)
    allowed = decided(h, alerted, Purpose.CV_AND_JOB_ALERTS)
    await message(h, alerted, Purpose.CV_AND_JOB_ALERTS, allowed)  # fine, then withdrawn
    standing = alerted.person.consents.values()
    c = next(c for c in standing if str(c.event_id) == grant)
    await h.consent_fact(alerted, ConsentWithdrawn(consent_id=c.consent_id, purpose=c.purpose,
                                                   recipient=c.recipient, region=c.region))  # fmt: skip
    after = UseRef(purpose=Purpose.CV_AND_JOB_ALERTS, basis=UseBasis.CONSENT,
                   decision=allowed.decision.model_copy(update={"position": h.position(alerted)})
                   if allowed.decision else None)  # fmt: skip
    h.plant("use_covered", await message(h, alerted, Purpose.CV_AND_JOB_ALERTS, after))
    never = DecisionRef(reason=DecisionReason.CONSENT_GRANTED, consent_event_ids=(uuid.uuid4(),),
                        position=h.position(scored))  # fmt: skip
    use = UseRef(purpose=Purpose.VACANCY_ASSESSMENT, basis=UseBasis.CONSENT, decision=never)
    planted = await score(h, scored, use)
    assert planted is not None
    h.plant("use_covered", planted)
    cited = DecisionRef(reason=DecisionReason.CONSENT_GRANTED, consent_event_ids=(uuid.uuid4(),),
                        position=h.position(mailed))  # fmt: skip
    marketing = UseRef(purpose=Purpose.MARKETING, basis=UseBasis.CONSENT, decision=cited)
    h.plant("use_covered", await message(h, mailed, Purpose.MARKETING, marketing))
