"""The registry of services: each one's port, what it keeps and whom it talks to.

One table that `make run` (`deploy/local/run.py`), the gateway, the manifests'
agreement test (`tests/integration/deploy/test_manifests.py`) and the docs
(`docs/services.md`) read, so that adding a service, a topic or a call is one
row here plus the service itself; the tests say what else has to follow.

Ports: `port` is where the service listens locally (`make run`; `AC_PORT_BASE`
shifts them all by the same offset). In a container every service listens on
`CONTAINER_PORT` (the single Dockerfile's command), behind a Kubernetes Service
on port 80, so in a cluster a peer is `http://<name>`.

Topics: a service that `publishes` owns `<name>.events` (`ac_events.kafka`,
whose `PRODUCERS` must name the same services: the event backbone cannot import
this package). A service that `consumes` reads the topics of those producers as
the consumer group `<name>`, with its dead letters in `<name>.dlq`. The audit
reads every topic from the start without a group, so it consumes nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

CONTAINER_PORT: Final = 8000
"""The port every service listens on inside its container (and its pod)."""


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    """Its name: the package `ac_<name>`, the env prefix `<NAME>_`, the Deployment."""
    port: int
    """Its local port (`make run`); in a container it listens on `CONTAINER_PORT`."""
    database: bool
    """It has a PostgreSQL database of its own (`ac_<name>`)."""
    kafka: bool
    """It talks to Kafka."""
    publishes: bool
    """It owns the topic `<name>.events` (its event store's outbox is relayed there)."""
    consumes: tuple[str, ...]
    """The producers whose topics it consumes; its consumer group is its name."""
    calls: tuple[str, ...]
    """The services it calls over HTTP (every service but identity calls identity, at
    least for its signing keys)."""
    identity_client: bool
    """It has client credentials at identity (its own token, identity's keyring)."""
    tokens_for: tuple[str, ...] = ()
    """The peers it calls with a token of its own (client credentials, one audience each):
    identity grants it tokens for these and no others (issue 14, item 13). The gateway calls
    the others with the caller's token exchanged for that peer."""
    decrypts: bool = False
    """It reads people's personal fields, so it may fetch their data keys from identity's
    keyring (`/internal/keys`); no other service may."""


SERVICES: Final[tuple[ServiceSpec, ...]] = (
    ServiceSpec(
        name="gateway",
        port=8000,
        database=True,  # the rate limits' counters, shared by its replicas
        kafka=False,
        publishes=False,
        consumes=(),
        calls=("identity", "resumes", "matching", "consent", "notifications", "audit", "desk"),
        identity_client=True,
        tokens_for=("identity",),
    ),
    ServiceSpec(
        name="identity",
        port=8001,
        database=True,
        kafka=True,
        publishes=True,
        consumes=("identity",),  # its own erasures, read back after a restore
        calls=(),
        identity_client=False,
    ),
    ServiceSpec(
        name="resumes",
        port=8002,
        database=True,
        kafka=True,
        publishes=True,
        consumes=("identity",),
        calls=("identity", "consent"),
        identity_client=True,
        tokens_for=("identity", "consent"),
        decrypts=True,
    ),
    ServiceSpec(
        name="matching",
        port=8003,
        database=True,
        kafka=True,
        publishes=True,
        consumes=("identity", "resumes", "consent"),
        calls=("identity", "consent"),
        identity_client=True,
        tokens_for=("identity", "consent"),
        decrypts=True,
    ),
    ServiceSpec(
        name="consent",
        port=8004,
        database=True,
        kafka=True,
        publishes=True,
        consumes=("identity", "matching"),
        calls=("identity",),
        identity_client=False,
    ),
    ServiceSpec(
        name="notifications",
        port=8005,
        database=True,
        kafka=True,
        publishes=True,
        consumes=("identity", "consent", "matching", "desk"),
        calls=("identity", "consent"),
        identity_client=True,
        tokens_for=("identity", "consent"),
        decrypts=True,
    ),
    ServiceSpec(
        name="audit",
        port=8006,
        database=False,
        kafka=True,
        publishes=False,
        consumes=(),
        calls=("identity",),
        identity_client=True,
        tokens_for=("identity",),
        decrypts=True,
    ),
    ServiceSpec(
        name="desk",
        port=8007,
        database=True,
        kafka=True,
        publishes=True,
        consumes=("identity",),
        calls=("identity", "consent"),
        identity_client=True,
        tokens_for=("identity", "consent"),
        decrypts=True,
    ),
)
"""The gateway first, then the others in the order of their ports."""

_BY_NAME: Final = {s.name: s for s in SERVICES}


def spec(name: str) -> ServiceSpec:
    """The service called `name`; a `KeyError` naming the known ones otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no service {name!r}: the services are {', '.join(_BY_NAME)}") from None


def publishers() -> tuple[str, ...]:
    """The services that own a topic (`<name>.events`), in registry order."""
    return tuple(s.name for s in SERVICES if s.publishes)
