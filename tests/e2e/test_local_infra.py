"""deploy/local/infra.sh: idempotent start, and a stop that leaves nothing of ours running.

Runs a second, independent copy of the native infrastructure (its own cache
dir, so its own ports and data), leaving the suite's own untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

from tests.support.infra import REPO_ROOT

SCRIPT = REPO_ROOT / "deploy" / "local" / "infra.sh"


def infra(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")
    }
    env["AC_CACHE_DIR"] = str(cache)
    # Share the Kafka jars already fetched, so this test does not download them again.
    jars = REPO_ROOT / ".cache" / "kafka-jars"
    if jars.exists() and not (cache / "kafka-jars").exists():
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "kafka-jars").symlink_to(jars)
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, check=True, timeout=300
    )


def our_processes(cache: Path) -> list[str]:
    out = subprocess.run(["ps", "-eww", "-o", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if str(cache) in line and "ps -eww" not in line]


def test_up_is_idempotent_and_down_stops_only_ours() -> None:
    # Under the repo's cache, not pytest's private tmp: the postgres user must reach it.
    cache = REPO_ROOT / ".cache" / f"e2e-infra-{uuid.uuid4().hex[:8]}"
    cache.mkdir(parents=True)
    cache.chmod(0o755)
    try:
        t0 = time.monotonic()
        first = infra(cache, "up")
        started_in = time.monotonic() - t0
        assert "starting PostgreSQL" in first.stderr and "starting Kafka" in first.stderr
        pids = sorted(our_processes(cache))
        assert pids, "up started processes"

        second = infra(cache, "up")
        assert "starting" not in second.stderr
        assert "already running" in second.stderr
        assert sorted(our_processes(cache)) == pids, "the second up started nothing"
        print(f"cold start of PostgreSQL + Kafka (jars cached): {started_in:.1f} s")
    finally:
        infra(cache, "down")
    deadline = time.monotonic() + 30
    while our_processes(cache) and time.monotonic() < deadline:  # `down` waits for the pids;
        time.sleep(0.1)  # their children may take a moment more
    assert our_processes(cache) == []
    status = infra(cache, "status").stdout
    assert "postgres: stopped" in status and "kafka: stopped" in status
    shutil.rmtree(cache)
