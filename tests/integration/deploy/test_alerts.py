"""[L] The alert rules of the manifests agree with the code, the runbooks and the chaos run.

promtool (Prometheus's own parser) checks their PromQL in `make alerts-check` and
`make chaos`, which also shows each one firing during its fault; this, in `make test`,
checks what needs no promtool: each metric a rule reads is one the platform exposes,
each rule has its runbook in docs/operations.md, and each is fired by a chaos fault.
"""

from __future__ import annotations

import re

from tests.chaos.alerts import rules
from tests.chaos.faults import full
from tests.support.infra import REPO_ROOT

EXPOSED = "\n".join(
    (REPO_ROOT / path).read_text()
    for path in ("libs/platform/src/ac_platform/metrics.py",
                 "services/notifications/src/ac_notifications/app.py")
)  # fmt: skip
"""Where the platform names the metrics it exposes."""
FROM_ELSEWHERE = {"up", "kafka_consumergroup_lag"}
"""Prometheus's own series, and Strimzi's Kafka Exporter's."""
OPERATIONS = (REPO_ROOT / "docs" / "operations.md").read_text()


def _slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")


def test_every_rule_reads_metrics_the_platform_exposes() -> None:
    for alert, rule in rules().items():
        names = set(re.findall(r"\b(?:ac_\w+|up|kafka_\w+)\b", str(rule["expr"])))
        assert names, alert
        for name in names - FROM_ELSEWHERE:
            base = re.sub(r"_(total|bucket|count|sum)$", "", name)
            assert f'"{base}"' in EXPOSED, f"{alert} reads {name}, which nothing exposes"


def test_every_rule_has_a_severity_a_summary_and_its_runbook() -> None:
    anchors = {_slug(h) for h in re.findall(r"^#{2,3} (.+)$", OPERATIONS, re.M)}
    for alert, rule in rules().items():
        assert rule["labels"]["severity"] in ("page", "ticket"), alert
        assert rule["annotations"]["summary"], alert
        page, _, anchor = rule["annotations"]["runbook"].partition("#")
        assert page == "docs/operations.md" and anchor in anchors, (alert, anchor)
        assert f"`{alert}`" in OPERATIONS, f"{alert} is not in the alerts table"


def test_every_rule_is_shown_to_fire_by_a_chaos_fault() -> None:
    fired = {a for fault in full() for a in fault.alerts}
    assert fired == set(rules())
