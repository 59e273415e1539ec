"""Each alert of the manifests, shown to fire while its fault lasted: Prometheus's own rule
engine (`promtool test rules`) evaluates the rule's expression over the series the chaos
run scraped (tests/chaos/scrape.py), from a little before the fault to its end.

Firing here means the rule's condition held at some moment of the fault: its metric
crossed its threshold. The rule's `for` (how long the condition must hold before anyone
is paged) is a production duration, minutes, longer than any fault of the run.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.chaos.scrape import Scraper
from tests.support.infra import REPO_ROOT

MANIFEST = REPO_ROOT / "deploy" / "k8s" / "base" / "infra" / "alerts.yaml"
HISTORY_S = 70
"""Seconds of series before the fault, for the rules' rate windows ([1m])."""


def rules_text() -> str:
    return str(yaml.safe_load(MANIFEST.read_text())["data"]["active-connector.rules.yaml"])


def rules() -> dict[str, dict[str, Any]]:
    return {r["alert"]: r for g in yaml.safe_load(rules_text())["groups"] for r in g["rules"]}


def promtool() -> str:
    path = os.environ.get("AC_PROMTOOL") or str(REPO_ROOT / ".cache" / "tools" / "bin" / "promtool")
    assert Path(path).exists(), f"no promtool at {path}: make chaos builds it"
    return path


def _series(scraper: Scraper, metrics: set[str], start: int, end: int) -> list[dict[str, str]]:
    out = []
    for (name, labels), values in scraper.series.items():
        if name not in metrics or not any(start <= s <= end for s in values):
            continue
        shown = ",".join(f'{k}="{v}"' for k, v in labels)
        points = " ".join(repr(values[s]) if s in values else "_" for s in range(start, end + 1))
        out.append({"series": f"{name}{{{shown}}}", "values": points})
    return out


def fired(scraper: Scraper, alerts: tuple[str, ...], injected: float, healed: float,
          work: Path) -> list[str]:  # fmt: skip
    """The alerts among `alerts` whose condition never held from `injected` to `healed`
    (plus a few seconds: a scrape is once a second); [] when each fired."""
    if not alerts:
        return []
    table = rules()
    first, last = scraper.at(injected), scraper.at(healed) + 5
    start = max(0, first - HISTORY_S)
    tests = []
    for alert in alerts:
        expr = str(table[alert]["expr"]).strip()
        metrics = set(re.findall(r"\b(?:ac_\w+|up|kafka_\w+)\b", expr))
        metrics |= {m.removesuffix("_bucket") + "_bucket" for m in metrics if m.endswith("_bucket")}
        held = f"max_over_time(clamp_max(count({expr}), 1)[{last - first + 1}s:1s])"
        tests.append({
            "interval": "1s",
            "input_series": _series(scraper, metrics, start, last),
            "promql_expr_test": [{"expr": held, "eval_time": f"{last - start}s",
                                  "exp_samples": [{"labels": "{}", "value": 1}]}],
            "name": alert,
        })  # fmt: skip
    work.mkdir(parents=True, exist_ok=True)
    (work / "rules.yaml").write_text(rules_text())
    # The evaluation interval is the step too: with the default (1m) promtool evaluates only
    # at whole minutes, and every second between reads as the minute's first sample.
    test = {"rule_files": ["rules.yaml"], "evaluation_interval": "1s", "tests": tests}
    (work / "test.yaml").write_text(yaml.safe_dump(test))
    done = subprocess.run([promtool(), "test", "rules", "test.yaml"], cwd=work,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    if done.returncode == 0:
        return []
    failed = [a for a in alerts if f"name: {a}" in done.stdout + done.stderr or
              f"{a}," in done.stdout + done.stderr]  # fmt: skip
    detail = (done.stdout + done.stderr)[-1500:]
    return [f"alert {a} did not fire during the fault" for a in (failed or alerts)] + [detail]


def check_rules(work: Path) -> str:
    """`promtool check rules` on the manifest's rules (raises with its answer if they fail)."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "rules.yaml").write_text(rules_text())
    done = subprocess.run([promtool(), "check", "rules", "rules.yaml"], cwd=work,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()
