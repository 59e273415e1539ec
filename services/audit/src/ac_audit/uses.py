"""The audit's `use_covered` rule [E] #18: every use of a person's data was allowed.

A use is an event that records one (`MatchScored`, `NotificationSent`,
`NotificationFailed`: `state.USES`) and cites its `UseRef`. The rule asks, of each:

- **the right purpose**: a score serves `vacancy_assessment`; a message the purpose its
  kind serves (`MESSAGE_USES`);
- **the right basis**: a purpose used only on consent (`CONSENTED_PURPOSES`, a job
  alert, marketing, a promotion, a score) cites a consent decision; an old event that
  cites none reads "no decision cited" and is a finding; a message owed to the person
  cites the basis its kind is owed on;
- **allowed at its position**: as `disclosure_covered` does for provisions, the person's
  consent stream and the policies stream are folded up to the position the decision
  cites (`Folds`) and the consent service's own `decide_flow` is asked again, for the
  purpose, inside the company (`*`) in Japan, as the services ask it (`ac_platform.uses`);
  the consent events cited must be that person's standing consents there.

A use is decided the moment before it is made and recorded after it (the SMTP exchange,
the score worker's next round): the stale-view check of provisions, which compares the
record's own time with the consent events before it, does not apply, and is not made.
A use the consent service refused (basis `refused`) used nothing, and is not judged.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ac_audit.folds import Folds
from ac_audit.state import LogState, Raw
from ac_consent_rules.rules import FlowRequest, Policies, decide_flow
from ac_contracts.audit import Finding, RuleResult
from ac_events.catalogue import (
    CONSENTED_PURPOSES,
    MESSAGE_USES,
    NotificationKind,
    Purpose,
    UseBasis,
)

NAME = "use_covered"
TITLE = "Every use of a person's data was allowed for its purpose"
DESCRIPTION = (
    "Every use (a score against vacancies, a message) names the purpose its kind serves and "
    "cites what allowed it: a purpose used only on consent cites a consent decision that, "
    "replayed at the position it cites, allowed that purpose, citing that person's standing "
    "consents (an event citing no decision is a finding); a message owed to the person "
    "cites the basis its kind is owed on."
)
IN_COMPANY, HOME = "*", "JP"


def _expected(raw: Raw) -> tuple[Purpose, UseBasis] | None:
    """What a use of this kind serves, and its basis."""
    if raw.meta.type == "MatchScored":
        return Purpose.VACANCY_ASSESSMENT, UseBasis.CONSENT
    kind = raw.payload.get("kind")
    try:
        return MESSAGE_USES[NotificationKind(str(kind))]
    except ValueError:
        return None


def _why(folds: Folds, raw: Raw) -> str | None:
    """Why this use was not allowed (None: it was)."""
    use: Any = raw.payload.get("use")
    expected = _expected(raw)
    if not isinstance(use, dict) or expected is None:
        return "a use citing nothing readable"
    purpose, basis = use.get("purpose"), use.get("basis")
    what = "score" if raw.meta.type == "MatchScored" else f"{raw.payload.get('kind')} message"
    if purpose != expected[0]:
        return f"serves {purpose}, but a {what} serves {expected[0].value}"
    if basis == UseBasis.NOT_CITED:
        return f"no decision cited for {purpose}"
    if basis != expected[1] or (basis != UseBasis.CONSENT and purpose in CONSENTED_PURPOSES):
        return f"cites {basis}, but a {what} ({purpose}) rests on {expected[1].value}"
    if basis != UseBasis.CONSENT:
        return None
    return _consented(folds, raw, Purpose(purpose), use.get("decision") or {})


def _consented(folds: Folds, raw: Raw, purpose: Purpose, decision: dict[str, Any]) -> str | None:
    subject = raw.meta.subject_id
    position, cited_ids = decision.get("position"), decision.get("consent_event_ids")
    if subject is None or not position or not cited_ids:
        return "a use on consent that names no person, position or consent event"
    at_subject, at_policies = int(position["subject_version"]), int(position["policies_version"])
    stream = folds.state.person_facts.get(subject, [])
    if at_subject > (stream[-1][0] if stream else 0) or folds.policies_at(at_policies) is None:
        return f"cites a position beyond the log ({at_subject}, {at_policies})"
    person = folds.person_at(subject, at_subject)
    policies = folds.policies_at(at_policies) or Policies()
    verdict = decide_flow(policies, person, FlowRequest(purpose, IN_COMPANY, HOME))
    if not verdict.allow:
        return f"{purpose.value} not allowed at the position it cites: {verdict.reason.value}"
    standing = {str(c.event_id) for c in person.consents.values() if c.purpose == purpose}
    if not {str(UUID(str(i))) for i in cited_ids} <= standing:
        return f"cites consent events that were not this person's {purpose.value} consents"
    return None


def _finding(raw: Raw, detail: str) -> Finding:
    m = raw.meta
    return Finding(rule=NAME, event_id=m.event_id, stream_id=m.stream_id,
                   subject_id=m.subject_id, topic=m.topic, detail=detail)  # fmt: skip


def use_covered(state: LogState, folds: Folds) -> RuleResult:
    """Over every use read (`state.uses_seen`); those the replay kept are judged (the rest
    were refused, or owed messages citing their kind's basis: allowed by their kind)."""
    findings = [_finding(u, why) for u in state.uses if (why := _why(folds, u)) is not None]
    return RuleResult(name=NAME, title=TITLE, description=DESCRIPTION,
                      checked=state.uses_seen, findings=findings)  # fmt: skip
