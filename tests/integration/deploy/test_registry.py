"""The registry of services (`ac_contracts.services`) agrees with the code and the docs.

- it is well formed: unique names and ports, the gateway first, calls and
  consumed topics naming services that exist;
- `ac_events.kafka.PRODUCERS` (the backbone cannot import contracts) names the same
  topic owners;
- each service's consumer group and source topics (`GROUP`, `SOURCES`, read from its
  package's source text, not imported: the services change under their own owners),
  and its settings (port, peers' URLs, client credentials);
- the table of services in `docs/services.md` and the ports in the README.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

import pytest

from ac_contracts.services import CONTAINER_PORT, SERVICES, ServiceSpec, publishers, spec
from ac_events.kafka import PRODUCERS
from tests.support.infra import REPO_ROOT
from tests.support.settings import settings_class

NAMES = tuple(s.name for s in SERVICES)


def test_the_registry_is_well_formed() -> None:
    assert NAMES[0] == "gateway" and len(set(NAMES)) == len(NAMES) == 8
    assert [s.port for s in SERVICES] == list(range(8000, 8000 + len(SERVICES)))
    assert CONTAINER_PORT == 8000
    for s in SERVICES:
        assert set(s.calls) <= set(NAMES) - {s.name}, s
        # identity alone reads its own topic (its erasures, again after a restore)
        assert set(s.consumes) <= set(publishers()) - ({s.name} - {"identity"}), s
        assert len(set(s.calls)) == len(s.calls) and len(set(s.consumes)) == len(s.consumes)
        if s.publishes or s.consumes:
            assert s.kafka, s
        if s.identity_client:
            assert "identity" in s.calls, s
        assert set(s.tokens_for) <= set(s.calls) and (s.identity_client or not s.tokens_for), s
        assert s.identity_client or not s.decrypts, s  # keys come from identity, with a token
    assert spec("consent").port == 8004
    with pytest.raises(KeyError, match="gateway, identity"):
        spec("payroll")


def test_the_event_backbone_names_the_same_topic_owners() -> None:
    assert publishers() == PRODUCERS


def module_constants(service: str) -> dict[str, Any]:
    """The top-level `GROUP` and `SOURCES` literals anywhere in the service's package."""
    found: dict[str, Any] = {}
    package = REPO_ROOT / "services" / service / "src" / f"ac_{service}"
    for path in sorted(package.rglob("*.py")):
        for node in ast.parse(path.read_text(), str(path)).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in ("GROUP", "SOURCES"):
                    assert target.id not in found, f"{service}: {target.id} twice ({path})"
                    found[target.id] = ast.literal_eval(node.value)
    return found


@pytest.mark.parametrize("service", SERVICES, ids=NAMES)
def test_each_consumer_group_reads_what_the_registry_says(service: ServiceSpec) -> None:
    constants = module_constants(service.name)
    if service.consumes:
        assert constants.get("GROUP") == service.name
        assert sorted(constants.get("SOURCES", ())) == sorted(service.consumes)
    else:
        assert constants == {}, f"{service.name} consumes topics the registry does not list"


@pytest.mark.parametrize("service", SERVICES, ids=NAMES)
def test_each_services_settings_agree(service: ServiceSpec) -> None:
    cls = settings_class(service.name)
    assert cls.service_name == service.name
    assert getattr(cls, "default_port", service.port) == service.port
    fields = set(cls.model_fields)
    for peer in service.calls:
        # identity may be called only for its signing keys (`auth_jwks_url`)
        assert f"{peer}_url" in fields or (peer == "identity" and "auth_jwks_url" in fields)
    assert ("client_secret" in fields) == service.identity_client


def docs_table() -> list[list[str]]:
    """The rows of the table of services in docs/services.md, cells stripped."""
    text = (REPO_ROOT / "docs" / "services.md").read_text()
    header = "| service | env prefix | port | database | Kafka | publishes | consumes | calls |"
    assert header in text, "the table of services in docs/services.md has moved"
    rows = []
    for line in text.split(header, 1)[1].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def names_in(cell: str) -> tuple[str, ...]:
    return () if cell.startswith("none") else tuple(re.findall(r"[a-z]+", cell))


def test_the_docs_table_is_the_registry() -> None:
    rows = docs_table()
    assert [r[0] for r in rows] == list(NAMES)
    for (name, prefix, port, database, kafka, publishes, consumes, calls), s in zip(
        rows, SERVICES, strict=True
    ):
        assert prefix == f"`{name.upper()}_`"
        assert int(port) == s.port
        assert database.startswith(f"`ac_{name}`") if s.database else database.startswith("none")
        assert kafka == ("yes" if s.kafka else "no")
        assert publishes == (f"`{name}.events`" if s.publishes else "none")
        assert names_in(consumes) == s.consumes, name
        assert names_in(calls) == s.calls, name


def test_the_readme_gives_the_registrys_ports() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    sentence = readme.split("`make run` starts the eight services (", 1)[1].split(")", 1)[0]
    assert re.findall(r"(\w+)\s+:(\d+)", sentence) == [(s.name, str(s.port)) for s in SERVICES]


def test_no_service_keeps_its_own_list_of_services() -> None:
    """`run.py` reads the registry instead of a list of its own."""
    run = (REPO_ROOT / "deploy" / "local" / "run.py").read_text()
    assert "from ac_contracts.services import" in run
    assert not re.search(r'"gateway", "identity"', run)


def test_the_registry_module_stands_alone() -> None:
    """Contracts import nothing of a service, so anyone may read the registry."""
    source = Path(importlib.import_module("ac_contracts.services").__file__ or "").read_text()
    imports = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import | ast.ImportFrom)]
    modules = {a.name for n in imports if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module or "" for n in imports if isinstance(n, ast.ImportFrom)}
    assert modules <= {"__future__", "dataclasses", "typing"}
