"""The chaos suite's own PostgreSQL and Kafka: `deploy/local/infra.sh` with a cache of its own.

Every fault hits these and nothing else: the suite never stops, pauses or fills
the infrastructure other tests share. The broker and the database are stopped,
paused and restarted by their pids, as an operator (or a crashed node) would.

With `small_disk_mb`, Kafka's log directory is a loop-mounted ext4 file system of
that size, so that the disk can be filled (`fill_kafka_disk`) and freed again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.infra import REPO_ROOT

SCRIPT = REPO_ROOT / "deploy" / "local" / "infra.sh"


def _wait(condition: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} within {timeout_s:.0f} s")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class OwnInfra:
    """PostgreSQL and Kafka of the chaos suite's own, under `cache` (the repo's `.cache`, so
    that the postgres user can reach it)."""

    cache: Path = field(
        default_factory=lambda: REPO_ROOT / ".cache" / f"chaos-{uuid.uuid4().hex[:8]}"
    )
    small_disk_mb: int = 0
    env: dict[str, str] = field(default_factory=dict)
    _loop_image: Path | None = None

    # ------------------------------------------------------------ the whole

    def _script(self, *args: str, timeout_s: float = 600) -> str:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}  # fmt: skip
        env["AC_CACHE_DIR"] = str(self.cache)
        done = subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True,
                              timeout=timeout_s)  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"infra.sh {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def up(self) -> dict[str, str]:
        self.cache.mkdir(parents=True, exist_ok=True)
        self.cache.chmod(0o755)
        jars = REPO_ROOT / ".cache" / "kafka-jars"
        if jars.exists() and not (self.cache / "kafka-jars").exists():
            (self.cache / "kafka-jars").symlink_to(jars)  # fetched once, shared
        if self.small_disk_mb:
            self._mount_small_disk()
        self._script("up")
        lines = self._script("env").splitlines()
        self.env = dict(line.removeprefix("export ").split("=", 1) for line in lines if "=" in line)
        return self.env

    def down(self) -> None:
        for pid in self._pg_pids():  # a paused cluster cannot stop
            os.kill(pid, signal.SIGCONT)
        if (kafka := self.kafka_pid()) is not None:
            os.kill(kafka, signal.SIGCONT)
        try:
            self._script("down", timeout_s=120)
        finally:
            self._unmount_small_disk()
            shutil.rmtree(self.cache, ignore_errors=True)

    # ------------------------------------------------------------ Kafka

    @property
    def kafka_dir(self) -> Path:
        return self.cache / "infra" / "kafka"

    def kafka_pid(self) -> int | None:
        pid_file = self.kafka_dir / "kafka.pid"
        if not pid_file.exists():
            return None
        pid = int(pid_file.read_text().strip())
        return pid if _alive(pid) else None

    def kafka_stop(self) -> None:
        """SIGTERM, as a node shutting down cleanly; waits until the broker has exited."""
        pid = self.kafka_pid()
        assert pid is not None, "Kafka is not running"
        os.kill(pid, signal.SIGTERM)
        _wait(lambda: not _alive(pid), 60, "Kafka did not stop")

    def kafka_wait_exit(self, timeout_s: float) -> None:
        """Until the broker has exited by itself (a failed log directory halts it)."""
        pid_file = self.kafka_dir / "kafka.pid"
        pid = int(pid_file.read_text().strip())
        _wait(lambda: not _alive(pid), timeout_s, "Kafka did not exit")

    def kafka_start(self) -> None:
        """`infra.sh up` again: it starts what is not running (here the broker)."""
        self._script("up")

    def kafka_signal(self, sig: signal.Signals) -> None:
        pid = self.kafka_pid()
        assert pid is not None, "Kafka is not running"
        os.kill(pid, sig)

    # ------------------------------------------------------------ PostgreSQL

    @property
    def pg_data(self) -> Path:
        moved = self.cache / "infra" / "postgres-dir"
        base = (
            Path(moved.read_text().strip()) if moved.exists() else self.cache / "infra" / "postgres"
        )
        return base / "data"

    def _pg_ctl(self, *args: str) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        command = [str(bins[-1]), "-D", str(self.pg_data), *args]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd="/")

    def pg_restart(self) -> None:
        """A fast shutdown (every session ended, as on a failover), then a start."""
        self._pg_ctl("-m", "fast", "-w", "-t", "60", "stop")
        self._pg_ctl("-l", str(self.pg_data.parent / "postgres.log"), "-w", "-t", "60", "start")

    def _pg_pids(self) -> list[int]:
        pid_file = self.pg_data / "postmaster.pid"
        if not pid_file.exists():
            return []
        postmaster = int(pid_file.read_text().split()[0])
        children = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                              if ":\t" in line)  # fmt: skip
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(postmaster):
                children.append(int(status.parent.name))
        return [postmaster, *children] if _alive(postmaster) else []

    def pg_signal(self, sig: signal.Signals) -> None:
        """SIGSTOP / SIGCONT to the postmaster and every backend: the whole cluster hangs."""
        for pid in self._pg_pids():
            os.kill(pid, sig)

    # ------------------------------------------------------------ a small disk for Kafka

    def _mount_small_disk(self) -> None:
        data = self.kafka_dir / "data"
        data.mkdir(parents=True, exist_ok=True)
        self._loop_image = self.cache / "kafka-disk.img"
        with self._loop_image.open("wb") as image:
            image.truncate(self.small_disk_mb * 1024 * 1024)
        for command in (["mkfs.ext4", "-q", "-m", "0", str(self._loop_image)],
                        ["mount", "-o", "loop", str(self._loop_image), str(data)]):  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(
                    f"a small disk for Kafka needs a loop mount (root): {' '.join(command)}: "
                    f"{done.stderr.strip()}"
                )
        (data / "lost+found").rmdir()  # Kafka takes every directory there for a partition

    def _unmount_small_disk(self) -> None:
        if self._loop_image is not None:
            subprocess.run(["umount", "-l", str(self.kafka_dir / "data")], capture_output=True)
            self._loop_image = None

    @property
    def balloon(self) -> Path:
        return self.kafka_dir / "data" / "balloon"

    def fill_kafka_disk(self) -> int:
        """Writes to Kafka's disk until no byte is left; returns how many were written."""
        written, chunk = 0, b"\0" * (1 << 20)
        with self.balloon.open("wb", buffering=0) as balloon:
            while chunk:
                try:
                    written += balloon.write(chunk) or 0
                except OSError:  # no space left: write what still fits, smaller and smaller
                    chunk = chunk[: len(chunk) // 2]
            with contextlib.suppress(OSError):
                os.fsync(balloon.fileno())
        return written

    def free_kafka_disk(self) -> None:
        self.balloon.unlink(missing_ok=True)
