"""[B] #17: every component of ours that sends personal data out of the platform declares the
processor it sends to (`ac_contracts.processors.SENDS`), so the register cannot silently miss
one: a module that imports an outbound library (SMTP, a cloud or analytics API) without a
declaration fails here, and the module that sends refuses to load without its own."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterable
from pathlib import Path

import pytest

from ac_contracts.processors import OUTBOUND, SENDS, Sends, UndeclaredProcessor, declared
from ac_contracts.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def modules() -> dict[str, Path]:
    """Every module of our services and libraries, by dotted name."""
    found = {}
    for src in [*ROOT.glob("services/*/src"), *ROOT.glob("libs/*/src")]:
        for path in src.rglob("*.py"):
            name = ".".join(path.relative_to(src).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def outbound(path: Path) -> set[str]:
    """The outbound libraries a module imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if any(n == lib or n.startswith(f"{lib}.") for lib in OUTBOUND)}


def undeclared(found: dict[str, Path], sends: Iterable[Sends]) -> list[str]:
    """The modules that send out without a declaration."""
    declared_modules = {s.module for s in sends}
    return sorted(m for m, path in found.items() if outbound(path) and m not in declared_modules)


def test_every_module_that_sends_out_declares_its_processor() -> None:
    assert undeclared(modules(), SENDS) == []


def test_the_check_fails_when_the_mail_senders_declaration_is_removed() -> None:
    without = tuple(s for s in SENDS if s.module != "ac_notifications.delivery")
    assert undeclared(modules(), without) == ["ac_notifications.delivery"]
    with pytest.raises(UndeclaredProcessor):
        declared("ac_notifications.delivery", without)


def declares_itself(path: Path) -> bool:
    """The module calls `declared(__name__)` (at import: it does not load undeclared)."""
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", None) == "declared"
               and [getattr(a, "id", None) for a in n.args] == ["__name__"]
               for n in ast.walk(ast.parse(path.read_text())))  # fmt: skip


def test_each_declaration_names_a_sending_module_of_its_component() -> None:
    found, components = modules(), {s.name for s in SERVICES}
    for s in SENDS:
        assert s.component in components, s
        assert s.module.startswith(f"ac_{s.component}."), s
        assert outbound(found[s.module]), f"{s.module} is declared but sends nothing out"
        assert declares_itself(found[s.module]), f"{s.module} does not read its declaration"
        importlib.import_module(s.module)
