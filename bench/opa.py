"""The peer of `bench/consent.py`: Open Policy Agent answering the same questions.

OPA v1.22.3, built with `go install` from the Go module proxy into .cache/tools
(as the Makefile builds kustomize), runs as a server with the benchmark's
people, consents and organisations loaded as its data, and a Rego policy with
the consent rules that the benchmark's requests exercise: the recipient must
be known; an erased person's data never flows; a consent must name the purpose
and the recipient (or `*`, never for a third party), not be withdrawn, cover
the region and every data category asked for. The same wrk script drives it
(`BENCH_OPA=1` wraps each body as OPA's `{"input": ...}`).

OPA answers from memory with no read-your-writes: a withdrawal reaches it only
when its data is pushed again. The consent service answers from the database,
in the same transaction as the withdrawal.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.support.infra import REPO_ROOT

VERSION = "v1.22.3"
BINARY = REPO_ROOT / ".cache" / "tools" / "bin" / "opa"

POLICY = r"""
package ac

third_party := {"client_application", "vetting"}

deny(reason) := {"decision": "deny", "reason": reason, "consent_event_ids": []}

person := object.get(data.people, input.subject_id, {})

scoped contains c if {
	some c in object.get(object.get(person, input.purpose, {}), input.recipient, [])
}

scoped contains c if {
	not input.purpose in third_party
	some c in object.get(object.get(person, input.purpose, {}), "*", [])
}

active contains c if {
	some c in scoped
	not c.withdrawn
}

in_region contains c if {
	some c in active
	c.region == input.region
}

covering contains c if {
	some c in in_region
	every category in input.data_categories {
		c.categories[category]
	}
}

decision := deny("unknown_recipient") if {
	input.recipient != "*"
	not data.organisations[input.recipient]
} else := deny("erased") if {
	data.erased[input.subject_id]
} else := deny("withdrawn") if {
	count(active) == 0
	count(scoped) > 0
} else := deny("no_consent") if {
	count(active) == 0
} else := deny("region_not_covered") if {
	count(in_region) == 0
} else := deny("categories_not_covered") if {
	count(covering) == 0
} else := {
	"decision": "allow",
	"reason": "consent_granted",
	"consent_event_ids": [c.id | some c in covering],
}
"""

Row = tuple[Any, ...]
"""A row of the benchmark's `consents` table (see `bench.consent.load`)."""


def install() -> Path:
    """The OPA binary, built from the Go module proxy on first use."""
    if not BINARY.exists():
        tools = BINARY.parents[1]
        env = {**os.environ, "GOBIN": str(BINARY.parent), "GOPATH": str(tools / "go"),
               "GOFLAGS": "-modcacherw"}  # fmt: skip
        subprocess.run(["go", "install", f"github.com/open-policy-agent/opa@{VERSION}"],
                       env=env, check=True)  # fmt: skip
    return BINARY


def write_data(path: Path, rows: Iterable[Row], organisations: Iterable[str]) -> None:
    """The same people and consents as OPA data: person -> purpose -> recipient -> consents."""
    people: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for row in rows:
        _, subject, purpose, recipient, region, categories = row[:6]
        people[subject][purpose][recipient].append(
            {
                "id": str(row[9]),
                "region": region,
                "withdrawn": row[11] is not None,
                "categories": dict.fromkeys(categories, True),
            }
        )
    data = {"people": people, "organisations": dict.fromkeys(organisations, True), "erased": {}}
    path.write_bytes(orjson.dumps(data))


@contextmanager
def serve(port: int, data: Path, policy_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """OPA's server on `port` with `data` and the policy, until it answers; one core
    (GOMAXPROCS=1), as the consent service runs one worker process."""
    policy = policy_dir / "ac.rego"
    policy.write_text(POLICY)
    command = [str(install()), "run", "--server", "--addr", f"127.0.0.1:{port}",
               "--log-level", "error", str(data), str(policy)]  # fmt: skip
    process = subprocess.Popen(command, env={**os.environ, "GOMAXPROCS": "1"})
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("OPA did not start")
            time.sleep(0.5)
        yield process
    finally:
        process.terminate()
        process.wait(30)


def decide(port: int, ask: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"http://127.0.0.1:{port}/v1/data/ac/decision", json={"input": ask})
    response.raise_for_status()
    result: dict[str, Any] = response.json()["result"]
    return result
