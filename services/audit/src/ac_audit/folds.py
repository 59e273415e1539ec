"""The person and the policies as the log stood at a position, or a time: the consent
service's own folds (`evolve_person`, `evolve_policies`) over the replayed log, for the rules
that judge a decision again (`disclosure_covered`, `use_covered`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ac_audit.state import LogState
from ac_consent_rules.rules import Person, Policies, evolve_person, evolve_policies


class Folds:
    """The person and the policies as the log stood at a position, or a time."""

    def __init__(self, state: LogState) -> None:
        self.state = state
        self._policies: dict[int, Policies] = {0: Policies()}
        self._people: dict[tuple[str, int], Person] = {}
        policies = Policies()
        for version, fact in state.policy_facts:
            policies = evolve_policies(policies, fact)
            self._policies[version] = policies

    def policies_at(self, version: int) -> Policies | None:
        return self._policies.get(version)

    def policies_when(self, keep: Callable[[int, Any], bool]) -> Policies:
        policies = Policies()
        for version, fact in self.state.policy_facts:
            if keep(version, fact):
                policies = evolve_policies(policies, fact)
        return policies

    def person_when(self, subject: str, keep: Callable[[int, Any], bool]) -> Person:
        person = Person()
        for version, fact in self.state.person_facts.get(subject, []):
            if keep(version, fact):
                person = evolve_person(person, fact)
        return person

    def person_at(self, subject: str, version: int) -> Person:
        """The person as their consent stream stood at `version` (kept: many uses of one
        person cite one position)."""
        known = self._people.get((subject, version))
        if known is None:
            known = self.person_when(subject, lambda v, f: v <= version)
            self._people[(subject, version)] = known
        return known
