"""The PNG chart: wall time against N, one panel per workload, one line per tool."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.records import Row


def draw(
    path: Path,
    table: Sequence[Row],
    bounds: Mapping[tuple[str, int], float],
    workloads: Sequence[str],
    tools: Sequence[str],
) -> None:
    """Log-log wall time (median) vs N; the lower bound dashed; cells with failures marked x."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(workloads), figsize=(5.2 * len(workloads), 4.6), squeeze=False)
    for ax, workload in zip(axes[0], workloads, strict=True):
        _panel(ax, workload, [r for r in table if r.workload == workload], bounds, tools)
    fig.suptitle("wall time, median of repeats (x: a run had failed hosts)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _panel(
    ax: Any,
    workload: str,
    table: Sequence[Row],
    bounds: Mapping[tuple[str, int], float],
    tools: Sequence[str],
) -> None:
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    for tool in tools:
        rows = sorted((r for r in table if r.tool == tool), key=lambda r: r.size)
        if not rows:
            continue
        line = ax.plot([r.size for r in rows], [r.wall for r in rows], marker="o", label=tool)[0]
        failed = [r for r in rows if r.failed_runs]
        ax.plot(
            [r.size for r in failed], [r.wall for r in failed], "x", color=line.get_color(), ms=12
        )
    lower = sorted((n, b) for (w, n), b in bounds.items() if w == workload)
    if lower:
        ax.plot([n for n, _ in lower], [b for _, b in lower], "k--", label="lower bound")
    sizes = sorted({r.size for r in table} | {n for n, _ in lower})
    ax.set(title=workload, xlabel="hosts (N)", ylabel="seconds", xscale="log", yscale="log")
    ax.set_xticks(sizes)
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_minor_locator(LogLocator(subs=(2.0, 3.0, 5.0)))
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
