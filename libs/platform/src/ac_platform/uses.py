"""[E] #18: the one helper a service calls before it uses a person's data for a purpose.

`ask_use` asks the consent service (`POST /decisions`, as matching asks before a
provision) and returns the `UseRef` to record with the use: citing the decision when
allowed, refused otherwise (fail closed: a use is made only on `allow`; an unreachable
consent service raises `ConsentUnavailable`, and the use waits). `owed_use` is the
record of a use that needs no consent (its basis instead).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ac_events.catalogue import MESSAGE_USES, NotificationKind, Purpose, UseBasis, UseRef
from ac_platform.peers import ConsentClient

IN_COMPANY = "*"
"""The recipient of a use inside the company (no third party)."""


def use_ask(subject_id: str, purpose: Purpose, region: str = "JP") -> dict[str, Any]:
    """The consent question for a use of `subject_id`'s data for `purpose`, in the company."""
    return {"subject_id": subject_id, "purpose": purpose.value, "recipient": IN_COMPANY,
            "region": region}  # fmt: skip


async def ask_use(
    consent: ConsentClient, subject_id: str, purpose: Purpose, region: str = "JP"
) -> UseRef:
    """May this person's data be used for `purpose` now? The answer, as recorded."""
    return UseRef.from_answer(purpose, await consent.decide(use_ask(subject_id, purpose, region)))


def uses_from(purpose: Purpose, answers: Sequence[Mapping[str, Any]]) -> list[UseRef]:
    """A batch of answers (`decide_many`), each as the use it allows or refuses."""
    return [UseRef.from_answer(purpose, a) for a in answers]


def message_use(kind: NotificationKind) -> tuple[Purpose, UseBasis]:
    """The purpose a kind of message serves and its basis (`MESSAGE_USES`)."""
    return MESSAGE_USES[kind]


def owed_use(purpose: Purpose, basis: UseBasis) -> UseRef:
    return UseRef.owed(purpose, basis)
