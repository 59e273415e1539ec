"""The web app's install and build, each done only when needed (`make web`, `make run`, tests).

- `npm ci` in `web/` when `node_modules` was not installed from the current
  `package-lock.json` (its SHA-256 is kept in `node_modules/.ac-lock-sha256`);
- `npm run build` (type check, then Vite) when the app's sources changed since
  the last build (their SHA-256 is kept in `dist/.ac-source-sha256`).

    python deploy/local/webbuild.py            install and build if needed; print the dist folder
    python deploy/local/webbuild.py --install  only install (npm ci) if needed
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
DIST = WEB / "dist"
SOURCES = ("src", "public", "index.html", "package.json", "package-lock.json", "vite.config.ts",
           "tsconfig.json")  # fmt: skip
LOCK_MARK = WEB / "node_modules" / ".ac-lock-sha256"
BUILD_MARK = DIST / ".ac-source-sha256"


def _say(text: str) -> None:
    print(f"[web] {text}", file=sys.stderr, flush=True)


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("[web] npm is not on PATH: install Node.js 20+ with npm")
    return npm


def sources_digest() -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        path = WEB / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.exists():
                digest.update(str(file.relative_to(WEB)).encode() + b"\0")
                digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def _read(path: Path) -> str:
    return path.read_text().strip() if path.exists() else ""


def install() -> None:
    lock = hashlib.sha256((WEB / "package-lock.json").read_bytes()).hexdigest()
    if _read(LOCK_MARK) == lock:
        return
    _say("npm ci (the web app's packages, from package-lock.json)")
    subprocess.run(
        [_npm(), "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True, stdout=sys.stderr
    )
    LOCK_MARK.write_text(lock + "\n")


LOCK = ROOT / ".cache" / "web-build.lock"
"""Held while installing or building: two test workers (or make run beside a test) would
otherwise run `npm ci` or Vite in the same folder at once."""


def build() -> Path:
    """Installs and builds when needed; the folder of the built app."""
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        return _build()


def _build() -> Path:
    install()
    digest = sources_digest()
    if _read(BUILD_MARK) == digest and (DIST / "index.html").exists():
        return DIST
    _say("building the web app (its sources changed)")
    subprocess.run([_npm(), "run", "build"], cwd=WEB, check=True, stdout=sys.stderr)
    BUILD_MARK.write_text(digest + "\n")
    return DIST


if __name__ == "__main__":
    if sys.argv[1:] == ["--install"]:
        install()
    else:
        print(build())
