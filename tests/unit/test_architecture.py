"""The shape of the tree, checked: services share contracts, never each other's packages;
modules fit in one reading; every refusal's reason code is registered."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from ac_contracts.reasons import REASONS

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "resumes", "matching", "consent", "notifications", "gateway", "audit",
            "desk")  # fmt: skip
MAX_LINES = 400


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_importing_the_gateway_loads_no_module_of_another_service() -> None:
    probe = (
        "import sys, ac_gateway.app; "
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('ac_')}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    others = {f"ac_{s}" for s in SERVICES if s != "gateway"}
    assert not others & set(eval(loaded)), loaded


def test_the_gateway_depends_on_no_service_package() -> None:
    project = tomllib.loads((ROOT / "services/gateway/pyproject.toml").read_text())["project"]
    deps = {re.split(r"[<>=\[ ]", d)[0] for d in project["dependencies"]}
    assert not deps & {f"ac-{s}" for s in SERVICES}, deps


def test_no_service_imports_another_services_package() -> None:
    crossings = []
    for service in SERVICES:
        for path in (ROOT / "services" / service / "src").rglob("*.py"):
            foreign = {m for m in _imports(path) if m.startswith("ac_")} - {
                f"ac_{service}",
                "ac_events",
                "ac_platform",
                "ac_contracts",
                "ac_consent_rules",
                "ac_sensitive",
            }
            if foreign:
                crossings.append(f"{path.relative_to(ROOT)}: {sorted(foreign)}")
    assert crossings == []


def test_no_module_of_a_service_or_a_library_is_over_400_lines() -> None:
    long = [
        f"{p.relative_to(ROOT)} ({n})"
        for base in ("services", "libs")
        for p in (ROOT / base).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert long == []


def test_every_reason_a_service_refuses_with_is_registered() -> None:
    """`Refused("<code>", ...)` checks at run time too; this finds a code in a branch no test
    reaches."""
    used = set()
    for base in ("services", "libs"):
        for path in (ROOT / base).rglob("*.py"):
            used |= set(re.findall(r'Refused\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert used, "the scan found no refusal at all: the pattern is stale"
    assert used - set(REASONS) == set()


def test_the_design_is_cited_from_the_repository_only() -> None:
    found = subprocess.run(
        ["git", "grep", "-l", "DESIGN" + " §"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()  # (the pattern is split so this file does not match itself)
    assert found == []


def test_no_two_migrations_of_a_component_share_a_number() -> None:
    """Work merged from two branches once gave matching two migrations numbered 0002 (the
    migrator refuses to start on it: every service test then fails at once)."""
    for folder in sorted({p.parent for p in ROOT.glob("*/*/src/*/migrations/*.sql")}):
        numbers = [p.name.split("_", 1)[0] for p in folder.glob("*.sql")]
        assert len(numbers) == len(set(numbers)), f"{folder.relative_to(ROOT)}: {sorted(numbers)}"
