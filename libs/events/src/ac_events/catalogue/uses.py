"""[E] issue 18: a use of a person's data cites what allowed it.

Every event that records a use (a score against vacancies, a message sent) carries a
`UseRef`: the purpose it served and its basis. A use that needs the person's consent
cites the consent service's decision (reason, consent event ids, view position), which
the audit's `use_covered` replays; a use owed to the person (a service message, a legal
notice) cites its basis instead. `UseRef.from_answer` is the one way a service turns the
consent service's answer into what it records (`ac_platform.uses` asks and converts).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ac_events.catalogue.consent import ViewPosition
from ac_events.catalogue.vocab import DecisionReason, Purpose


class DecisionRef(BaseModel):
    """The consent decision a provision relied on, as the consent service gave it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    reason: DecisionReason
    consent_event_ids: tuple[UUID, ...] = Field(min_length=1)
    position: ViewPosition
    """The position of the consent view the decision was made on."""


class UseBasis(StrEnum):
    """Why a use of a person's data was allowed."""

    CONSENT = "consent"
    """The person's consent, as the consent service decided it (`decision` cites it)."""
    CONTRACT = "contract"
    """Owed as part of the service the person uses (a verification link, an application's
    steps): within the purposes notified, no consent to ask."""
    LEGAL_OBLIGATION = "legal_obligation"
    """Owed by law or by the policy's promises (a disclosure notice, a policy change or
    business transfer notice, an answer to a rights request)."""
    REFUSED = "refused"
    """The consent service denied the use: nothing was used (`denied` says why)."""
    NOT_CITED = "not_cited"
    """Recorded before uses cited their basis (an upcast event): no decision cited."""


CONSENTED_PURPOSES = frozenset(
    {
        Purpose.VACANCY_ASSESSMENT,
        Purpose.CLIENT_APPLICATION,
        Purpose.CV_AND_JOB_ALERTS,
        Purpose.MARKETING,
        Purpose.PRODUCT_IMPROVEMENT,
        Purpose.PROMOTIONS_AND_EVENTS,
        Purpose.VETTING,
        Purpose.EQUAL_OPPORTUNITY_MONITORING,
        Purpose.ANALYTICS_ADVERTISING,
    }
)
"""Purposes a use may serve only on the person's consent: never on a contract or a legal
basis."""

OWED = frozenset({UseBasis.CONTRACT, UseBasis.LEGAL_OBLIGATION})


class UseRef(BaseModel):
    """The purpose a use served and what allowed it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    purpose: Purpose | None
    """None only for an upcast use whose purpose was not recorded."""
    basis: UseBasis
    decision: DecisionRef | None = None
    """The consent decision (basis `consent`), else none."""
    denied: DecisionReason | None = None
    """Why the consent service refused (basis `refused`), else none."""

    @model_validator(mode="after")
    def _coherent(self) -> UseRef:
        if (self.basis is UseBasis.CONSENT) != (self.decision is not None):
            raise ValueError("a use on consent cites its decision, and only such a use does")
        if (self.basis is UseBasis.REFUSED) != (self.denied is not None):
            raise ValueError("a refused use says why, and only a refused use does")
        if self.purpose is None and self.basis is not UseBasis.NOT_CITED:
            raise ValueError("a use names its purpose")
        if self.basis in OWED and self.purpose in CONSENTED_PURPOSES:
            raise ValueError(f"{self.purpose} is used only on consent")
        return self

    @classmethod
    def from_answer(cls, purpose: Purpose, answer: Mapping[str, Any]) -> UseRef:
        """What the consent service's answer (`POST /decisions`) allows: a use citing the
        decision, or a refused one (fail closed: anything but `allow` is a refusal)."""
        reason = DecisionReason(answer["reason"])
        if answer.get("decision") != "allow" or not answer.get("consent_event_ids"):
            denied = reason if reason is not DecisionReason.CONSENT_GRANTED else None
            return cls(purpose=purpose, basis=UseBasis.REFUSED,
                       denied=denied or DecisionReason.NO_CONSENT)  # fmt: skip
        decision = DecisionRef(
            reason=reason,
            consent_event_ids=tuple(answer["consent_event_ids"]),
            position=ViewPosition(**answer["position"]),
        )
        return cls(purpose=purpose, basis=UseBasis.CONSENT, decision=decision)

    @classmethod
    def owed(cls, purpose: Purpose, basis: UseBasis) -> UseRef:
        """A use that needs no consent, citing its basis."""
        return cls(purpose=purpose, basis=basis)

    @property
    def allowed(self) -> bool:
        return self.basis is not UseBasis.REFUSED


def not_cited(purpose: Purpose | None) -> dict[str, Any]:
    """An upcast use: its purpose (when the old event implies it), no decision cited."""
    return {"purpose": purpose.value if purpose else None, "basis": UseBasis.NOT_CITED.value,
            "decision": None, "denied": None}  # fmt: skip
