"""Sampling profiles of a benchmark's processes with py-spy, summarised as text.

`profiled(name, pid)` samples a running process (and, with `subprocesses=True`,
its children) while the block runs, then prints the top of the profile: the
functions holding the most samples by themselves ("self") and with what they
call ("total"), as shares of the process's samples. Only the thread holding the
GIL is sampled (`--gil`): idle time, a thread waiting on I/O or a lock, is not,
so the shares are shares of the CPU the process spent running Python. Profiling is off unless `BENCH_PROFILE` names a folder: the
raw (collapsed) stacks are kept there, one file per profile, for a flame
graph; the summaries go to stdout and to `<name>.txt` beside them.

    BENCH_PROFILE=.cache/profiles make bench-consent
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TOP = int(os.environ.get("BENCH_PROFILE_TOP", "12"))
_PROCESS = re.compile(r'^process (\d+):"([^"]*)";')


_PLUMBING = ("click/", "runpy", "uvicorn/server.py", "uvicorn/_compat.py", "uvicorn/main.py",
             "asyncio/", "multiprocessing/", "starlette/applications.py", "middleware/errors.py",
             "<module>", "threading.py", "granian/")  # fmt: skip
"""Frames every stack passes through (the event loop, the server's entry): not informative."""


def folder() -> Path | None:
    where = os.environ.get("BENCH_PROFILE")
    return Path(where) if where else None


def _py_spy() -> str:
    return str(Path(sys.executable).with_name("py-spy"))


@contextmanager
def profiled(name: str, pid: int, *, subprocesses: bool = False) -> Iterator[None]:
    """Sample `pid` while the block runs (nothing at all unless BENCH_PROFILE is set)."""
    out_dir = folder()
    if out_dir is None:
        yield
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / f"{name}.collapsed"
    command = [_py_spy(), "record", "--pid", str(pid), "--rate", os.environ.get("BENCH_PROFILE_RATE", "100"), "--format", "raw",
               "--output", str(raw), "--nonblocking", "--gil"]  # fmt: skip
    if subprocesses:
        command.append("--subprocesses")
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(60)
    text = summarise(name, raw.read_text() if raw.exists() else "")
    (out_dir / f"{name}.txt").write_text(text)
    print(text, flush=True)


def _role(words: list[str]) -> str:
    """A short name for a process from its command line."""
    for marker in ("-m", "-c"):
        if marker in words[:-1]:
            return " ".join(words[words.index(marker) + 1 :])[:50]
    return " ".join(words)[:50]


def _frame(text: str) -> str:
    """`func (path/to/module.py:12)` -> `func (module.py)`: a function, not a line."""
    func, _, where = text.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    parts = Path(path).parts
    short = "/".join(parts[-2:]) if len(parts) > 1 else path
    return f"{func} ({short})" if where else func


def summarise(name: str, collapsed: str) -> str:
    """The top functions by self and total samples, per process."""
    per_process: dict[str, list[tuple[list[str], int]]] = defaultdict(list)
    for line in collapsed.splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        process = "main"
        while m := _PROCESS.match(stack):  # a child's frames follow its parent's
            words = m.group(2).split()
            process = f"pid {m.group(1)} ({_role(words)})"
            stack = stack[m.end() :]
        frames = stack.split(";")
        frames = [f for f in frames if not f.startswith("thread (")]
        per_process[process].append(([_frame(f) for f in frames], int(samples)))
    lines = [f"== profile {name}"]
    for process, stacks in sorted(per_process.items(), key=lambda kv: -sum(c for _, c in kv[1])):
        total = sum(c for _, c in stacks)
        if total < 20:
            continue
        own: Counter[str] = Counter()
        inclusive: Counter[str] = Counter()
        for frames, count in stacks:
            if frames:
                own[frames[-1]] += count
            for f in set(frames):
                inclusive[f] += count
        lines.append(f"-- {process}: {total} samples")
        lines.append(f"   {'self %':>7} {'total %':>8}  function")
        for func, count in own.most_common(TOP):
            lines.append(
                f"   {100 * count / total:7.1f} {100 * inclusive[func] / total:8.1f}  {func}"
            )
        lines.append("   (by total, our code and the libraries it calls)")
        shown = 0
        for func, count in inclusive.most_common():
            if shown >= TOP:
                break
            if any(p in func for p in _PLUMBING):
                continue
            lines.append(f"   {100 * own[func] / total:7.1f} {100 * count / total:8.1f}  {func}")
            shown += 1
    return "\n".join(lines)
