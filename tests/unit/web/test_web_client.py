"""[W] The web app's API client is generated from the gateway's OpenAPI, and never stale."""

from __future__ import annotations

from tools import web_client


def test_the_web_apps_api_client_is_generated_from_the_gateway_as_it_is() -> None:
    """A route or model changed without `make web-client` fails here."""
    assert web_client.stale() == [], "run `make web-client`"


def test_the_client_has_no_hand_written_types_for_v1() -> None:
    """The app's code takes every `/v1` type from the generated schema: no file of its own
    declares a type or interface named after a gateway model."""
    names = set(__import__("json").loads(web_client.OPENAPI.read_text())["components"]["schemas"])
    sources = [p for p in (web_client.WEB / "src").rglob("*.ts*") if p != web_client.SCHEMA]
    declared = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        declared += [f"{path.name}: {n}" for n in names
                     if f"interface {n} " in text or f"type {n} =" in text]  # fmt: skip
    assert declared == []
