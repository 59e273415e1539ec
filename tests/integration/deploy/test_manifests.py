"""The deployment agrees with the code: manifests that validate, and say what the code needs.

- `make k8s-validate`: every overlay through kustomize and kubeconform -strict
  (Kubernetes, Strimzi and CloudNativePG schemas, offline);
- every service of the registry (`ac_contracts.services`) has a Deployment of its
  image on the container port; every topic the catalogue names, and every consumer
  group's dead-letter topic, has a KafkaTopic; every setting a service reads is in its
  ConfigMap or a Secret reference of its Deployment; each service with a database has
  one on the PostgreSQL cluster;
- each service's NetworkPolicy lets in the services that call it and lets out to the
  services it calls, Kafka and PostgreSQL exactly as the registry says;
- each check is also run on manifests with one thing removed, and must fail.

The image is checked in `test_image.py`, the registry against the code in
`test_registry.py`.
"""

from __future__ import annotations

import copy
import re
import subprocess
from typing import Any

import pytest
import yaml

from ac_contracts.services import CONTAINER_PORT, SERVICES, publishers
from ac_events.catalogue import catalogue_events
from ac_events.kafka import dead_letter_topic, topic_for
from tests.support.infra import REPO_ROOT
from tests.support.settings import settings_class

Docs = list[dict[str, Any]]

NAMES = tuple(s.name for s in SERVICES)
CONSUMER_GROUPS = tuple(s.name for s in SERVICES if s.consumes)
"""Each consuming service's group is its name; each group needs its dead-letter topic."""

NOT_SET_IN_CLUSTERS = {
    "AUTH_JWKS": "inline signing keys are for tests; clusters use AUTH_JWKS_URL",
    "MASTER_KEY": "only identity holds the keyring",
    "PREVIOUS_MASTER_KEY": "set only while a master-key rotation runs (docs/operations.md)",
}
NO_DATABASE = {s.name for s in SERVICES if not s.database}
NO_KAFKA = {s.name for s in SERVICES if not s.kafka}
KAFKA = {"strimzi.io/cluster": "ac-kafka"}
POSTGRES = {"cnpg.io/cluster": "ac-postgres"}
IMAGE = re.compile(r"ghcr\.io/active-connector/(?P<name>[a-z]+):(?P<tag>[\w.-]+)")


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
    producers = {e.producer for e in catalogue_events()} | set(publishers())
    return {topic_for(p) for p in producers} | {dead_letter_topic(g) for g in CONSUMER_GROUPS}


def one(docs: Docs, kind: str, name: str) -> dict[str, Any]:
    [found] = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


# -- the checks, as functions of the rendered manifests -------------------------------


def missing_deployments(docs: Docs) -> set[str]:
    deployed = {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"}
    return set(NAMES) - deployed


def misshapen_workloads(docs: Docs) -> dict[str, str]:
    """Each service's Deployment: one container, its own image with a tag, the port."""
    wrong = {}
    for name in NAMES:
        [container] = one(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"]
        image = IMAGE.fullmatch(container["image"])
        ports = [p["containerPort"] for p in container["ports"]]
        if not image or image["name"] != name or ports != [CONTAINER_PORT]:
            wrong[name] = f"{container['image']} on {ports}"
    return wrong


def missing_topics(docs: Docs) -> set[str]:
    declared = {d["spec"]["topicName"] for d in docs if d["kind"] == "KafkaTopic"}
    return topics_needed() - declared


def missing_databases(docs: Docs) -> set[str]:
    """The services with a database of their own that the PostgreSQL cluster lacks."""
    [cluster] = [d for d in docs if d["kind"] == "Cluster"]
    present = {cluster["spec"]["bootstrap"]["initdb"]["database"]}
    present |= {d["spec"]["name"] for d in docs if d["kind"] == "Database"}
    return {s.name for s in SERVICES if s.database and f"ac_{s.name}" not in present}


def missing_settings(docs: Docs) -> dict[str, set[str]]:
    configs = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    missing = {}
    for service in NAMES:
        container = one(docs, "Deployment", service)["spec"]["template"]["spec"]["containers"][0]
        provided = {
            e["name"] for e in container.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})
        }
        for source in container.get("envFrom", []):
            provided |= set(configs[source["configMapRef"]["name"]])
        gap = required_env(service) - provided
        if gap:
            missing[service] = gap
    return missing


def peers(rules: list[dict[str, Any]], key: str) -> tuple[set[str], list[dict[str, str]]]:
    """The services a policy's rules name (`app.kubernetes.io/name`), and its other pods."""
    services, others = set(), []
    for rule in rules:
        for peer in rule.get(key, []):
            if set(peer) == {"podSelector"}:
                labels = peer["podSelector"]["matchLabels"]
                if "app.kubernetes.io/name" in labels:
                    services.add(labels["app.kubernetes.io/name"])
                else:
                    others.append(labels)
    return services, others


def disagreeing_peers(docs: Docs) -> dict[str, list[str]]:
    """Where a service's NetworkPolicy and the registry disagree about whom it talks to."""
    wrong: dict[str, list[str]] = {}
    for s in SERVICES:
        spec = one(docs, "NetworkPolicy", f"{s.name}-allow")["spec"]
        callers, _ = peers(spec["ingress"], "from")
        callees, others = peers(spec["egress"], "to")
        said = {s2.name for s2 in SERVICES if s.name in s2.calls}
        problems = [f"called by {sorted(callers)}, not {sorted(said)}"] * (callers != said)
        problems += [f"calls {sorted(callees)}, not {sorted(s.calls)}"] * (callees != set(s.calls))
        problems += [f"Kafka {KAFKA in others}, not {s.kafka}"] * ((KAFKA in others) != s.kafka)
        if (POSTGRES in others) != s.database:
            problems.append(f"PostgreSQL {POSTGRES in others}, not {s.database}")
        if problems:
            wrong[s.name] = problems
    return wrong


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
def prod(validated: str) -> Docs:
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


def test_the_manifests_provide_what_the_code_needs(prod: Docs) -> None:
    assert missing_deployments(prod) == set()
    assert misshapen_workloads(prod) == {}
    assert missing_topics(prod) == set()
    assert missing_databases(prod) == set()
    assert missing_settings(prod) == {}


def test_each_service_talks_to_whom_the_registry_says(prod: Docs) -> None:
    assert disagreeing_peers(prod) == {}


def test_the_checks_fail_when_something_is_removed(prod: Docs) -> None:
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
    without_database = [d for d in prod if d["metadata"]["name"] != "ac-matching"]
    assert missing_databases(without_database) == {"matching"}
    untagged = copy.deepcopy(prod)
    container = one(untagged, "Deployment", "consent")["spec"]["template"]["spec"]["containers"][0]
    container["image"] = "ghcr.io/active-connector/consent"
    assert set(misshapen_workloads(untagged)) == {"consent"}


def drop_peer(docs: Docs, policy: str, direction: str, labels: dict[str, str]) -> Docs:
    docs = copy.deepcopy(docs)
    key = "from" if direction == "ingress" else "to"
    for rule in one(docs, "NetworkPolicy", policy)["spec"][direction]:
        rule[key] = [
            p for p in rule.get(key, []) if p.get("podSelector", {}).get("matchLabels") != labels
        ]
    return docs


def test_the_peer_check_fails_when_a_peer_is_removed(prod: Docs) -> None:
    without_caller = drop_peer(
        prod, "consent-allow", "ingress", {"app.kubernetes.io/name": "resumes"}
    )
    assert set(disagreeing_peers(without_caller)) == {"consent"}
    without_callee = drop_peer(prod, "gateway-allow", "egress", {"app.kubernetes.io/name": "audit"})
    assert set(disagreeing_peers(without_callee)) == {"gateway"}
    without_kafka = drop_peer(prod, "audit-allow", "egress", KAFKA)
    assert disagreeing_peers(without_kafka) == {"audit": ["Kafka False, not True"]}
    without_postgres = drop_peer(prod, "identity-allow", "egress", POSTGRES)
    assert disagreeing_peers(without_postgres) == {"identity": ["PostgreSQL False, not True"]}


def test_no_secret_value_is_committed(prod: Docs) -> None:
    assert [d for d in prod if d["kind"] == "Secret"] == []
    for d in prod:
        if d["kind"] == "ConfigMap":
            for key in d["data"]:
                assert not any(
                    w in key for w in ("PASSWORD", "SECRET", "MASTER_KEY", "LINK_KEY")
                ), key


# -- the web app (not a service of the registry: static files behind nginx) -----------------


def web_problems(docs: Docs) -> list[str]:
    """The web app's manifests against the platform's: its nginx sends the local server's CSP
    for the gateway's host, config.json names that host, the gateway lets exactly the app's
    host call it, the emails link to it, and the pod is unprivileged and isolated."""
    from deploy.local.webserver import security_headers

    problems = []
    hosts = {d["metadata"]["name"]: d["spec"]["rules"][0]["host"] for d in docs
             if d["kind"] == "Ingress"}  # fmt: skip
    app, api = f"https://{hosts.get('web')}", f"https://{hosts.get('gateway')}"
    configs = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    web: dict[str, str] = next((v for k, v in configs.items() if k.startswith("web-config")), {})
    for header, value in security_headers(api).items():
        if f'add_header {header} "{value}" always;' not in web.get("security-headers.inc", ""):
            problems.append(f"nginx lacks {header}: {value}")
    if yaml.safe_load(web.get("config.json", "{}")).get("apiUrl") != api:
        problems.append("config.json does not name the gateway's host")
    if yaml.safe_load(configs["gateway-config"]["GATEWAY_CORS_ORIGINS"]) != [app]:
        problems.append("the gateway's CORS origins are not exactly the app's")
    if configs["notifications-config"]["NOTIFICATIONS_PUBLIC_URL"] != app:
        problems.append("the emails' links do not point at the app")
    deployment = [d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "web"]
    if not deployment:
        return [*problems, "no web Deployment"]
    pod = deployment[0]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    context = container["securityContext"]
    if not (context["runAsNonRoot"] and context["readOnlyRootFilesystem"]
            and not context["allowPrivilegeEscalation"]):  # fmt: skip
        problems.append("the web container is not unprivileged")
    [policy] = [
        d for d in docs if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "web-allow"
    ]
    if policy["spec"].get("egress") != [] or len(policy["spec"]["ingress"]) != 1:
        problems.append("the web pod is not isolated (ingress controller in, nothing out)")
    return problems


def test_the_web_app_is_deployed_beside_the_gateway_and_agrees_with_it(prod: Docs) -> None:
    assert web_problems(prod) == []
    wrong_origin = copy.deepcopy(prod)
    for d in wrong_origin:
        if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "gateway-config":
            d["data"]["GATEWAY_CORS_ORIGINS"] = '["*"]'
    assert web_problems(wrong_origin) == ["the gateway's CORS origins are not exactly the app's"]
    no_web = [d for d in prod if (d["kind"], d["metadata"]["name"]) != ("Deployment", "web")]
    assert web_problems(no_web) == ["no web Deployment"]
