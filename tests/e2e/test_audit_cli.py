"""`ac-audit` as an auditor runs it: a real process, reading real Kafka, asking identity's keyring.

The history is the audit generator's (written straight to Kafka); identity runs
as a real HTTP server (its keyring answers the erasure checks: it holds none of
these people's keys, so each reads as destroyed).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from subprocess import PIPE

import pytest

from tests.support.audit_seed import MemoryKeyring, seed_history
from tests.support.infra import Infra, unique_prefix
from tests.support.platform import SECRET, Platform, platform

AC_AUDIT = Path(sys.executable).with_name("ac-audit")


@pytest.fixture(scope="module")
async def live(infra: Infra) -> AsyncIterator[Platform]:
    async with platform(infra, unique_prefix()) as p:
        yield p


async def run(p: Platform, infra: Infra, prefix: str, *args: str) -> Done:
    """Runs the CLI without blocking the loop that serves identity in this process."""
    env = {
        **os.environ,
        "AUDIT_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "AUDIT_TOPIC_PREFIX": prefix,
        "AUDIT_IDENTITY_URL": p.identity_url,
        "AUDIT_CLIENT_SECRET": SECRET,
        "AUDIT_ENVIRONMENT": "test",
    }
    proc = await asyncio.create_subprocess_exec(
        str(AC_AUDIT), *args, env=env, stdout=PIPE, stderr=PIPE
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=300)
    return Done(proc.returncode or 0, stdout.decode(), stderr.decode())


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


async def test_check_writes_both_reports_and_exits_by_its_findings(
    live: Platform, infra: Infra, tmp_path: Path
) -> None:
    clean, planted = unique_prefix(), unique_prefix()
    await seed_history(infra.kafka_bootstrap_servers, clean, MemoryKeyring(), people=150)
    await seed_history(
        infra.kafka_bootstrap_servers, planted, MemoryKeyring(), people=150, plant=True
    )

    out, page = tmp_path / "report.json", tmp_path / "report.html"
    done = await run(live, infra, clean, "check", "--json", str(out), "--html", str(page))
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["summary"]["people"] == 150
    assert all(not r["findings"] for r in report["rules"])
    assert page.read_text().startswith("<!DOCTYPE html>")

    done = await run(live, infra, planted, "check", "--json", str(out))
    assert done.returncode == 1
    assert "FAIL" in done.stderr and "chain" in done.stderr
    assert sum(len(r["findings"]) for r in json.loads(out.read_text())["rules"]) >= 10

    # Up to a time, and up to offsets: less of the log.
    done = await run(
        live, infra, clean, "check", "--until", "2025-12-31T00:00:00Z", "--json", str(out)
    )
    assert done.returncode == 0 and json.loads(out.read_text())["summary"]["events"] == 0
    matching = f"{clean}matching.events"
    stops = [a for part in range(6) for a in ("--offset", f"{matching}:{part}=0")]
    done = await run(live, infra, clean, "check", *stops, "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert matching not in json.loads(out.read_text())["summary"]["topics"]

    bad = await run(live, infra, clean, "check", "--offset", "nonsense")
    assert bad.returncode == 2 and "--offset" in bad.stderr


async def test_subject_answers_for_one_person(live: Platform, infra: Infra, tmp_path: Path) -> None:
    prefix = unique_prefix()
    seeded = await seed_history(infra.kafka_bootstrap_servers, prefix, MemoryKeyring(), people=60)
    done = await run(live, infra, prefix, "subject", seeded.subjects[0])
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["subject_id"] == seeded.subjects[0]
    assert record["history"] or record["provisions"] or record["blocked"]
