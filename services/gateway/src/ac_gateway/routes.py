"""The public API's route table, `routes.yaml`, loaded into `Route`s (see `table.py`).

The gateway checks the token and the role on every route (401/403 here, before any
service is called); the service it routes to checks again, and checks whose data it
is. Adding a route is adding an entry to `routes.yaml` (and its cells in the security
matrix test, which fails until they are there). The file is checked as it loads: an
unknown key, role, model, parameter type or handler stops the gateway from starting.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml

from ac_contracts.common import OrgId, SubjectId
from ac_contracts.pagination import Page
from ac_contracts.policy import PolicyVersion
from ac_events.catalogue.vocab import Sha256
from ac_gateway import table
from ac_gateway.disclosure import disclosure
from ac_gateway.limits import BUCKETS
from ac_gateway.session import close_session, open_session, refresh_session
from ac_gateway.table import Handler, Route

TABLE = Path(__file__).with_name("routes.yaml")
ROLES = {name.lower(): getattr(table, name) for name in
         ("PUBLIC", "USERS", "STUDENT", "CLIENT", "CLIENT_OR_STAFF", "STAFF", "AUDITING")}  # fmt: skip
PARAMS: dict[str, Any] = {"uuid": UUID, "sha256": Sha256, "org_id": OrgId, "subject_id": SubjectId,
                          "policy_version": PolicyVersion}  # fmt: skip
HANDLERS: dict[str, Handler] = {
    "disclosure": disclosure,
    "open_session": open_session,
    "refresh_session": refresh_session,
    "close_session": close_session,
}
KEYS = {"roles", "to", "summary", "tags", "body", "query", "response", "status", "params",
        "limited", "headers", "html", "own_org", "handler"}  # fmt: skip


def model(name: str) -> Any:
    """`identity.Registration` -> the model of `ac_contracts.identity`; `list[...]`; `page[...]`
    (a `Page` of `ac_contracts.pagination`, the answer of every list route); `object`."""
    if name == "object":
        return dict
    inner = re.fullmatch(r"list\[(.+)\]", name)
    if inner:
        return list[model(inner.group(1))]  # type: ignore[misc]
    paged = re.fullmatch(r"page\[(.+)\]", name)
    if paged:
        return Page[model(paged.group(1))]  # type: ignore[misc]
    module, _, cls = name.rpartition(".")
    return getattr(importlib.import_module(f"ac_contracts.{module}"), cls)


def bucket(key: str, name: Any) -> str | None:
    if name is None:
        return None
    if name not in BUCKETS:
        raise ValueError(f"{TABLE.name}: {key}: no rate-limit bucket {name!r} ({BUCKETS})")
    return str(name)


def route(key: str, entry: dict[str, Any]) -> Route:
    method, path = key.split(" ", 1)
    unknown = set(entry) - KEYS
    if unknown:
        raise ValueError(f"{TABLE.name}: {key}: unknown keys {sorted(unknown)}")
    upstream, to = entry["to"].split(" ", 1)
    return Route(
        method=method,
        path=path,
        roles=ROLES[entry["roles"]],
        upstream=upstream,
        to=to,
        summary=entry["summary"],
        tags=tuple(entry["tags"]),
        body=model(entry["body"]) if "body" in entry else None,
        query=model(entry["query"]) if "query" in entry else None,
        response=model(entry["response"]) if "response" in entry else None,
        status=int(entry.get("status", 200)),
        params={name: PARAMS[kind] for name, kind in entry.get("params", {}).items()},
        limited=bucket(key, entry.get("limited")),
        headers=tuple(entry.get("headers", ())),
        html=bool(entry.get("html", False)),
        own_org=entry.get("own_org"),
        handler=HANDLERS[entry["handler"]] if "handler" in entry else None,
    )


def load(path: Path = TABLE) -> tuple[Route, ...]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    routes = tuple(route(key, entry) for item in entries for key, entry in item.items())
    seen = [r.key for r in routes]
    if len(seen) != len(set(seen)):
        raise ValueError(f"{path.name}: a route is listed twice")
    return routes


ROUTES = load()
