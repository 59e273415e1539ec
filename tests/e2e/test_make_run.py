"""`make run`'s supervisor starts every service and each becomes ready."""

from __future__ import annotations

import os
import subprocess
import sys

from ac_events.testing import REPO_ROOT, Infra


def test_every_service_becomes_ready(infra: Infra) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": infra.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
    }
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "deploy" / "local" / "run.py"), "--check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for service in (
        "gateway",
        "identity",
        "resumes",
        "matching",
        "consent",
        "notifications",
        "audit",
    ):
        assert f"{service} " in done.stdout
    assert "every service is ready" in done.stderr
