"""The deployment agrees with the code: manifests that validate, and say what the code needs.

- `make k8s-validate`: every overlay through kustomize and kubeconform -strict
  (Kubernetes, Strimzi and CloudNativePG schemas, offline);
- every service has a Deployment; every topic the catalogue names, and every
  consumer group's dead-letter topic, has a KafkaTopic; every setting a service
  reads is in its ConfigMap or a Secret reference of its Deployment;
- each check is also run on manifests with one thing removed, and must fail.

The image is checked in `test_image.py`, the registry against the code in
`test_registry.py`.
"""

from __future__ import annotations

import copy
import importlib
import subprocess
from typing import Any

import pytest
import yaml

from ac_events.catalogue import catalogue_events
from ac_events.kafka import dead_letter_topic, topic_for
from ac_platform.settings import ServiceSettings
from tests.support.infra import REPO_ROOT

SERVICES = ("identity", "resumes", "matching", "consent", "notifications", "gateway", "audit")
CONSUMER_GROUPS = ("ac_consent.handlers", "ac_notifications.handlers")
"""Modules that name a consumer group (`GROUP`): each needs its dead-letter topic."""

NOT_SET_IN_CLUSTERS = {
    "AUTH_JWKS": "inline signing keys are for tests; clusters use AUTH_JWKS_URL",
    "MASTER_KEY": "only identity holds the keyring",
    "PREVIOUS_MASTER_KEY": "set only while a master-key rotation runs (docs/operations.md)",
}
NO_DATABASE = {"gateway", "audit"}
NO_KAFKA = {"gateway"}


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"ac_{service}.settings")
    [cls] = [
        v
        for v in vars(module).values()
        if isinstance(v, type)
        and issubclass(v, ServiceSettings)
        and v.__module__ == module.__name__
    ]
    return cls


def required_env(service: str) -> set[str]:
    cls = settings_class(service)
    prefix = str(cls.model_config.get("env_prefix", ""))
    names = {f"{prefix}{field.upper()}" for field in cls.model_fields}
    skip = set()
    for name in NOT_SET_IN_CLUSTERS:
        if name != "MASTER_KEY" or not cls.uses_master_key:
            skip.add(prefix + name)
    if service in NO_DATABASE:
        skip.add(prefix + "DATABASE_URL")
    if service in NO_KAFKA:
        skip |= {prefix + "KAFKA_BOOTSTRAP_SERVERS", prefix + "TOPIC_PREFIX"}
    return names - skip


def topics_needed() -> set[str]:
    producers = {e.producer for e in catalogue_events()}
    groups = {importlib.import_module(m).GROUP for m in CONSUMER_GROUPS}
    return {topic_for(p) for p in producers} | {dead_letter_topic(g) for g in groups}


# -- the checks, as functions of the rendered manifests -------------------------------


def missing_deployments(docs: list[dict[str, Any]]) -> set[str]:
    deployed = {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"}
    return set(SERVICES) - deployed


def missing_topics(docs: list[dict[str, Any]]) -> set[str]:
    declared = {d["spec"]["topicName"] for d in docs if d["kind"] == "KafkaTopic"}
    return topics_needed() - declared


def missing_settings(docs: list[dict[str, Any]]) -> dict[str, set[str]]:
    configs = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    missing = {}
    for service in SERVICES:
        [deployment] = [
            d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == service
        ]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        provided = {
            e["name"] for e in container.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})
        }
        for source in container.get("envFrom", []):
            provided |= set(configs[source["configMapRef"]["name"]])
        gap = required_env(service) - provided
        if gap:
            missing[service] = gap
    return missing


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validated() -> str:
    """`make k8s-validate` (builds the tools from the Go module proxy on first use)."""
    done = subprocess.run(
        ["make", "--no-print-directory", "k8s-validate"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def prod(validated: str) -> list[dict[str, Any]]:
    kustomize = REPO_ROOT / ".cache/tools/bin/kustomize"
    out = subprocess.run(
        [str(kustomize), "build", str(REPO_ROOT / "deploy/k8s/overlays/prod")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d]


# -- tests ---------------------------------------------------------------------------


def test_every_overlay_validates_strictly(validated: str) -> None:
    summaries = [line for line in validated.splitlines() if line.startswith("Summary:")]
    assert len(summaries) == len(list((REPO_ROOT / "deploy/k8s/overlays").iterdir())) == 2
    for line in summaries:
        assert "Invalid: 0, Errors: 0, Skipped: 0" in line, line


def test_the_manifests_provide_what_the_code_needs(prod: list[dict[str, Any]]) -> None:
    assert missing_deployments(prod) == set()
    assert missing_topics(prod) == set()
    assert missing_settings(prod) == {}


def test_the_checks_fail_when_something_is_removed(prod: list[dict[str, Any]]) -> None:
    without_topic = [d for d in prod if d.get("spec", {}).get("topicName") != "consent.events"]
    assert missing_topics(without_topic) == {"consent.events"}
    without_dlq = [d for d in prod if d.get("spec", {}).get("topicName") != "notifications.dlq"]
    assert missing_topics(without_dlq) == {"notifications.dlq"}
    without_setting = copy.deepcopy(prod)
    for d in without_setting:
        if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "gateway-config":
            del d["data"]["GATEWAY_CONSENT_URL"]
    assert missing_settings(without_setting) == {"gateway": {"GATEWAY_CONSENT_URL"}}
    without_secret = copy.deepcopy(prod)
    for d in without_secret:
        if d["kind"] == "Deployment" and d["metadata"]["name"] == "identity":
            env = d["spec"]["template"]["spec"]["containers"][0]["env"]
            env[:] = [e for e in env if e["name"] != "IDENTITY_MASTER_KEY"]
    assert missing_settings(without_secret) == {"identity": {"IDENTITY_MASTER_KEY"}}
    assert missing_deployments([d for d in prod if d["metadata"]["name"] != "audit"]) == {"audit"}


def test_no_secret_value_is_committed(prod: list[dict[str, Any]]) -> None:
    assert [d for d in prod if d["kind"] == "Secret"] == []
    for d in prod:
        if d["kind"] == "ConfigMap":
            for key in d["data"]:
                assert not any(
                    w in key for w in ("PASSWORD", "SECRET", "MASTER_KEY", "LINK_KEY")
                ), key
