"""A seeded history for incidents [B] #17: people, provisions of their data to three clients
(two in Japan, one in Germany) and to a processor, some with special-care data, erasures
before, inside and after a window; written straight to Kafka by the audit's generator
(`tests.support.audit_seed`: sealed and chained as the services' event stores write them).

It keeps its own ground truth, `Provided` (who, to whom, when, which items), so a test can
compute who an incident touched by other means than the log.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ac_events.catalogue import (
    DataCategory,
    DataShared,
    DecisionReason,
    DecisionRef,
    Purpose,
    SensitiveCategory,
)
from tests.support.audit_seed import History, MemoryKeyring, Someone

CLIENTS = ("org-jp-1", "org-jp-2", "org-de-1")
"""The three clients (org-de-1 is overseas, with its country notice)."""
PROCESSOR = "proc-mail-1"
"""A processor (a mailing house) the platform entrusts names and contacts to."""
CV = (DataCategory.NAME, DataCategory.CONTACT, DataCategory.RESUME)
NO_CV = (DataCategory.NAME, DataCategory.CONTACT, DataCategory.SCHOOL)


@dataclass(frozen=True)
class Provided:
    subject: str
    recipient: str
    at: datetime
    items: tuple[DataCategory, ...]
    special: bool


@dataclass
class IncidentHistory:
    provided: list[Provided] = field(default_factory=list)
    erased_at: dict[str, datetime] = field(default_factory=dict)
    window: tuple[datetime, datetime] = (datetime.min, datetime.max)
    people: int = 0
    events: int = 0

    def touched(self, recipient: str, category: DataCategory) -> set[str]:
        """Who the incident on `recipient`'s copy of `category` in the window touched, from
        the ground truth: provided in the window, and not erased before it began."""
        start, end = self.window
        return {p.subject for p in self.provided
                if p.recipient == recipient and category in p.items and start <= p.at <= end
                and not (p.subject in self.erased_at and self.erased_at[p.subject] < start)}  # fmt: skip

    def special(self, recipient: str, category: DataCategory) -> set[str]:
        start, end = self.window
        return {p.subject for p in self.provided
                if p.recipient == recipient and category in p.items and start <= p.at <= end
                and p.special and p.subject in self.touched(recipient, category)}  # fmt: skip


async def provide(h: History, truth: IncidentHistory, someone: Someone, recipient: str,
                 items: tuple[DataCategory, ...], special: bool) -> None:  # fmt: skip
    country = h.countries.get(recipient, "JP")
    processor = recipient.startswith("proc-")
    purpose = Purpose.OUTSOURCED_PROCESSING if processor else Purpose.CLIENT_APPLICATION
    ref = DecisionRef(reason=DecisionReason.CONSENT_GRANTED, consent_event_ids=(uuid.uuid4(),),
                      position=h.position(someone))  # fmt: skip
    at = h.tick()
    event = DataShared(disclosure_id=uuid.uuid4(), shared_at=at, purpose=purpose,
                       organization_id=recipient, recipient_legal_name=f"{recipient.upper()} K.K.",
                       recipient_address=f"1-1 Chiyoda, {country}",
                       recipient_representative="Representative", recipient_country=country,
                       data_items=items,
                       sensitive_items=(SensitiveCategory.SEX_LIFE_HEALTH,) if special else (),
                       decision=ref)  # fmt: skip
    await h.w.emit("matching", f"matching-{someone.subject}", event, someone.subject, at)
    truth.provided.append(Provided(someone.subject, recipient, at, items, special))


async def seed_incident_history(
    bootstrap: str, prefix: str, keyring: MemoryKeyring, *, people: int = 300, seed: int = 17
) -> IncidentHistory:
    """Three rounds of provisions (before, inside, after the window), erasures between."""
    h = History(prefix, keyring, random.Random(seed))
    rng, truth = h.rng, IncidentHistory()
    await h.policy("v1")
    await h.organisations()
    h.countries[PROCESSOR] = "JP"
    for _ in range(people):
        await h.register()

    async def a_round() -> None:
        for someone in h.people:
            if someone.erased:
                continue
            if rng.random() < 0.3:
                await provide(h, truth, someone, PROCESSOR, (DataCategory.NAME, DataCategory.CONTACT),
                             False)  # fmt: skip
            if rng.random() < 0.6:
                to = rng.choice(CLIENTS)
                items = CV if rng.random() < 0.8 else NO_CV
                await provide(h, truth, someone, to, items, rng.random() < 0.1)

    async def erase_some(share: float) -> None:
        for someone in h.people:
            if not someone.erased and rng.random() < share:
                await h.erase(someone)
                truth.erased_at[someone.subject] = h.clock

    await a_round()
    await erase_some(0.05)  # erased before the window: their copies left in it are out of scope
    start = h.tick(3600)
    await a_round()
    await erase_some(0.05)  # erased inside the window: provided in it, so still touched
    await a_round()
    end = h.tick(3600)
    await erase_some(0.05)
    h.tick(3600)
    await a_round()
    # A provision (planted, after an erasure) inside the window to someone erased before it.
    gone = next(s for s in h.people if truth.erased_at.get(s.subject, end) < start)
    h.clock = start + timedelta(seconds=1)
    await provide(h, truth, gone, "org-de-1", CV, True)
    await h.w.flush(bootstrap)
    truth.window, truth.people, truth.events = (start, end), people, h.w.count
    return truth
