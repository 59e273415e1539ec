"""The audit's rules: each a name, what it checks, and its findings over the replayed log.

Consent is judged with the consent service's own rules (`evolve_person`,
`evolve_policies`, `decide_flow` from `ac_consent.domain`): the audit folds
the person's consent stream and the policies stream up to the decision
position a provision cites, and asks the same question again. What each rule
checks is in `RULES`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from ac_audit import processing, retention, uses
from ac_audit.folds import Folds
from ac_audit.state import LogState, Raw
from ac_consent_rules.rules import FlowRequest, Policies, decide_flow
from ac_contracts.audit import Finding, RuleResult
from ac_events.catalogue import DataCategory, LegalBasis, Purpose, SensitiveCategory
from ac_events.catalogue.vocab import JAPAN, is_region
from ac_events.keyring import Keyring

REQUIRED = ("shared_at", "recipient_legal_name", "recipient_address",
            "recipient_representative", "recipient_country", "data_items", "purpose",
            "organization_id")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    title: str
    description: str


RULES = {
    r.name: r
    for r in (
        Rule("record_complete", "Every provision record names what the law asks for",
             "A provision record names what APPI art. 29 asks for: date, recipient legal name, "
             "address, representative and country, the person, the data items, the purpose, "
             "and a consent decision or a legal basis."),
        Rule("disclosure_covered", "Every provision was allowed when it was made",
             "The provision was allowed at the position it cites, and that position was not "
             "stale (nothing recorded more than the grace before the provision would have "
             "denied it); a legal disclosure names its basis."),
        Rule("overseas_notice", "Every provision abroad rests on a consent with its country notice",
             "A provision abroad cites a consent for that country that recorded the country "
             "notice shown, and that notice was published."),
        Rule("no_provision_after_erasure", "Nothing was shared after a person's erasure",
             "No provision of a person's data after their erasure."),
        Rule("erased_unreadable", "Nothing of an erased person can be read",
             "No personal field of an erased person is in the clear, and their key is destroyed."),
        Rule("notice_sent", "Every person was told of every provision of their data",
             "A provision has its disclosure notice (`NotificationSent`, kind `disclosure`, "
             "naming the provision as its cause) to that same person within the bound "
             "(`AUDIT_NOTICE_WITHIN_S`, 24 h), or a recorded reason why not: the notice "
             "failed with its reason (`NotificationFailed`), or the person was erased "
             "first. A provision younger than the bound is pending, not judged."),
        Rule("chain", "Every stream is whole and every event is in its producer's topic",
             "Every stream's hash chain holds (no gap, duplicate, altered or relinked record), "
             "and every event sits in its producer's own topic."),
        Rule(retention.NAME, retention.TITLE, retention.DESCRIPTION),  # [D] #16
        *(Rule(n, *processing.TITLES[n]) for n in processing.TITLES),  # [B] #17
        Rule(uses.NAME, uses.TITLE, uses.DESCRIPTION),  # [E] #18
    )
}  # fmt: skip


def _result(name: str, checked: int, findings: Iterable[Finding]) -> RuleResult:
    rule = RULES[name]
    return RuleResult(name=name, title=rule.title, description=rule.description,
                      checked=checked, findings=list(findings))  # fmt: skip


def _finding(rule: str, share: Raw, detail: str) -> Finding:
    m = share.meta
    return Finding(rule=rule, event_id=m.event_id, stream_id=m.stream_id,
                   subject_id=m.subject_id, topic=m.topic, detail=detail)  # fmt: skip


# ---------------------------------------------------------------- provision records


def missing_fields(share: Raw) -> list[str]:
    """What a provision record lacks (empty when complete)."""
    p = share.payload
    missing = [f for f in REQUIRED if not p.get(f)]
    if share.meta.subject_id is None:
        missing.append("subject_id")
    if p.get("recipient_country") and not is_region(str(p["recipient_country"])):
        missing.append("recipient_country (not ISO 3166)")
    decision, legal = p.get("decision"), p.get("legal")
    if bool(decision) == bool(legal):
        missing.append("exactly one of: consent decision, legal basis")
    elif decision and not (decision.get("consent_event_ids") and decision.get("position")):
        missing.append("decision.consent_event_ids / decision.position")
    elif legal and not (legal.get("basis") and legal.get("reference")):
        missing.append("legal.basis / legal.reference")
    return missing


def record_complete(state: LogState) -> RuleResult:
    findings = [
        _finding("record_complete", s, "missing: " + ", ".join(gap))
        for s in state.shares
        if (gap := missing_fields(s))
    ]
    return _result("record_complete", len(state.shares), findings)


def complete_shares(state: LogState) -> list[Raw]:
    return [s for s in state.shares if not missing_fields(s)]


# ---------------------------------------------------------------- consent at the time


def _flow(p: dict[str, Any]) -> FlowRequest:
    return FlowRequest(
        purpose=Purpose(p["purpose"]),
        recipient=str(p["organization_id"]),
        region=str(p["recipient_country"]),
        data_categories=frozenset(DataCategory(i) for i in p["data_items"]),
        sensitive_categories=frozenset(SensitiveCategory(c) for c in p.get("sensitive_items", [])),
    )


def _covered(folds: Folds, share: Raw, grace: timedelta) -> str | None:
    """Why the provision was not allowed, or None."""
    p, subject = share.payload, share.meta.subject_id or ""
    if p.get("legal"):
        legal = p["legal"]
        if p["purpose"] != Purpose.LEGAL_DISCLOSURE or legal["basis"] not in set(LegalBasis):
            return "a legal basis is cited for a purpose other than legal_disclosure"
        return None
    if p["purpose"] == Purpose.LEGAL_DISCLOSURE:
        return "a legal disclosure without a legal basis"
    position = p["decision"]["position"]
    at_subject, at_policies = int(position["subject_version"]), int(position["policies_version"])
    stream = folds.state.person_facts.get(subject, [])
    if at_subject > (stream[-1][0] if stream else 0) or folds.policies_at(at_policies) is None:
        return f"cites a position beyond the log ({at_subject}, {at_policies})"
    flow = _flow(p)
    person = folds.person_when(subject, lambda v, f: v <= at_subject)
    policies = folds.policies_at(at_policies) or Policies()
    decision = decide_flow(policies, person, flow)
    if not decision.allow:
        return f"not allowed at the position it cites: {decision.reason.value}"
    grants = {str(c.event_id) for c in person.consents.values()}
    cited = {str(UUID(str(i))) for i in p["decision"]["consent_event_ids"]}
    if not cited <= grants:
        return "cites consent events that were not this person's standing consents"
    # A stale view: what was recorded well before the provision counts too.
    cutoff = share.meta.occurred_at - grace
    person = folds.person_when(subject, lambda v, f: v <= at_subject or f.at <= cutoff)
    policies = folds.policies_when(lambda v, f: v <= at_policies or f.at <= cutoff)
    decision = decide_flow(policies, person, flow)
    if not decision.allow:
        return f"decided on a stale view: by then {decision.reason.value}"
    return None


def disclosure_covered(state: LogState, shares: list[Raw], grace: timedelta) -> RuleResult:
    """Over the complete provision records (`complete_shares`)."""
    folds = Folds(state)
    findings = [
        _finding("disclosure_covered", s, why)
        for s in shares
        if (why := _covered(folds, s, grace)) is not None
    ]
    return _result("disclosure_covered", len(shares), findings)


def overseas_notice(state: LogState, shares: list[Raw]) -> RuleResult:
    abroad = [
        s for s in shares
        if s.payload["recipient_country"] != JAPAN and s.payload.get("decision")
    ]  # fmt: skip
    findings = []
    for share in abroad:
        country = share.payload["recipient_country"]
        cited = [state.grants.get(str(i)) for i in share.payload["decision"]["consent_event_ids"]]
        noticed = [
            g for g in cited
            if g is not None and g[1].region == country and g[1].country_notice_sha256
        ]  # fmt: skip
        if not noticed:
            detail = f"no cited consent for {country} recorded the country notice shown"
            findings.append(_finding("overseas_notice", share, detail))
        elif not any(g[1].country_notice_sha256 in state.notices for g in noticed):
            detail = f"the country notice for {country} the consent records was never published"
            findings.append(_finding("overseas_notice", share, detail))
    return _result("overseas_notice", len(abroad), findings)


# ---------------------------------------------------------------- erasure


def no_provision_after_erasure(state: LogState) -> RuleResult:
    findings = []
    for share in state.shares:
        erased = state.erased_at.get(share.meta.subject_id or "")
        if erased is not None and share.meta.occurred_at > erased:
            detail = f"shared at {share.meta.occurred_at.isoformat()}, erased {erased.isoformat()}"
            findings.append(_finding("no_provision_after_erasure", share, detail))
    return _result("no_provision_after_erasure", len(state.shares), findings)


async def erased_unreadable(state: LogState, keyring: Keyring) -> RuleResult:
    findings: list[Finding] = []
    checked = 0
    for subject in sorted(state.erased_at):
        fields = state.personal.get(subject, 0)
        checked += fields
        for f in state.in_clear.get(subject, []):
            if not f.sealed:
                findings.append(
                    Finding(
                        rule="erased_unreadable",
                        event_id=f.meta.event_id,
                        stream_id=f.meta.stream_id,
                        subject_id=subject,
                        topic=f.meta.topic,
                        detail=f"{f.meta.type}.{f.field} is in the clear",
                    )
                )
        if fields and isinstance(await keyring.key_for(subject), bytes):
            findings.append(
                Finding(
                    rule="erased_unreadable",
                    event_id=None,
                    stream_id=None,
                    subject_id=subject,
                    topic=None,
                    detail=f"erased, but the data key still exists: {fields} "
                    "personal fields can be decrypted",
                )
            )
    return _result("erased_unreadable", checked, findings)


# ---------------------------------------------------------------- the person told


def _untold(state: LogState, share: Raw, within: timedelta) -> str | None:
    """Why the person was not told of this provision in time (None: told, or excused)."""
    subject, due = share.meta.subject_id, share.meta.occurred_at + within
    told = state.told.get(share.meta.event_id, [])
    theirs = [t for t in told if t.meta.subject_id == subject]
    if any(t.meta.occurred_at <= due for t in theirs):
        return None  # sent, or failed with its reason recorded
    erased = state.erased_at.get(subject or "")
    if erased is not None and erased <= due:
        return None  # erased first: there is no one to write to
    hours = within.total_seconds() / 3600
    if theirs:
        late = min(t.meta.occurred_at for t in theirs) - share.meta.occurred_at
        return f"told {late.total_seconds() / 3600:.1f} h after the provision (bound {hours:g} h)"
    if told:
        return "the notice naming this provision went to someone else"
    return f"no notice to the person, and no reason recorded, within {hours:g} h"


def notice_sent(state: LogState, now: datetime, within: timedelta) -> RuleResult:
    """Every provision the bound has passed for (a legal disclosure too, unless staff recorded
    that a notice would prejudice the request: `notice_withheld`, [H] #14 item 10)."""
    due = [s for s in state.shares if s.meta.occurred_at + within <= now
           and not (s.payload.get("legal") or {}).get("notice_withheld")]  # fmt: skip
    findings = [_finding("notice_sent", s, why) for s in due if (why := _untold(state, s, within))]
    return _result("notice_sent", len(due), findings)


# ---------------------------------------------------------------- the log itself


def chain(state: LogState) -> RuleResult:
    findings = list(state.misplaced)
    for b in state.chain.breaks():
        findings.append(
            Finding(
                rule="chain",
                event_id=None,
                stream_id=b.stream_id,
                subject_id=None,
                detail=f"{b.kind} at version {b.stream_version}: {b.detail}",
            )
        )
    return _result("chain", state.events, findings)


@dataclass(frozen=True, slots=True)
class Bounds:
    """The audit's two tolerances of time, and when it judges."""

    grace: timedelta
    """A consent change this close before a provision may have been missed by its decision."""
    notice_within: timedelta
    """A provision's notice is due this long after it."""
    now: datetime
    """The audit's moment: the end of the replay (`--until`), or now."""


async def run_all(
    state: LogState, complete: list[Raw], keyring: Keyring, bounds: Bounds
) -> list[RuleResult]:
    """Every rule; `complete` is `complete_shares(state)`, computed once by the caller."""
    return [
        record_complete(state),
        disclosure_covered(state, complete, bounds.grace),
        overseas_notice(state, complete),
        no_provision_after_erasure(state),
        await erased_unreadable(state, keyring),
        notice_sent(state, bounds.now, bounds.notice_within),
        chain(state),
        retention.retention(state),  # [D] #16
        processing.processor_registered(state),  # [B] #17
        processing.incident_handled(state, bounds.now),
        uses.use_covered(state, Folds(state)),  # [E] #18
    ]
