"""Small text tables and PNG plots of how a benchmark's cost grows (docs/performance/).

A plot is written only when the figures are worth keeping: always to
`BENCH_CHARTS` (a folder) when it is set, and otherwise to docs/performance/
when BENCH_CHARTS is unset, so a plain `make bench-*` refreshes the pictures
the docs show.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from tests.support.infra import REPO_ROOT

Cell = float | int | str


def table(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """A plain text table: numbers right-aligned, thousands separated."""

    def cell(v: Cell) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"
        if isinstance(v, int):
            return f"{v:,}"
        return v

    cells = [list(header)] + [[cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def charts_dir() -> Path:
    return Path(os.environ.get("BENCH_CHARTS") or REPO_ROOT / "docs" / "performance")


class Chart:
    """One figure: lines of (x, y) points, saved as `<name>.png`."""

    def __init__(
        self, name: str, title: str, x_label: str, y_label: str, *, log_x: bool = False
    ) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        self.name = name
        self.figure, self.axes = plt.subplots(figsize=(6, 3.6), dpi=100)
        self.axes.set_title(title)
        self.axes.set_xlabel(x_label)
        self.axes.set_ylabel(y_label)
        if log_x:
            self.axes.set_xscale("log")
        self.axes.grid(True, alpha=0.3)

    def plot(self, points: Sequence[tuple[float, float]], label: str) -> Chart:
        xs, ys = zip(*points, strict=True)
        self.axes.plot(xs, ys, marker="o", label=label)
        for x, y in points:
            self.axes.annotate(f"{y:,.3g}", (x, y), textcoords="offset points", xytext=(0, 6),
                               ha="center", fontsize=8)  # fmt: skip
        return self

    def save(self) -> Path:
        import matplotlib.pyplot as plt

        self.axes.set_ylim(bottom=0)
        if len(self.axes.lines) > 1:
            self.axes.legend()
        out = charts_dir()
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{self.name}.png"
        self.figure.tight_layout()
        self.figure.savefig(path)
        plt.close(self.figure)
        print(f"plot: {path}")
        return path
