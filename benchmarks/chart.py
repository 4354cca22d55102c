"""The PNG chart: wall time against N, one panel per workload, one line per tool."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from benchmarks.records import Row


def draw(path: Path, table: Sequence[Row], bounds: Mapping[tuple[str, int], float],
         workloads: Sequence[str], tools: Sequence[str]) -> None:
    """Log-log wall time (median) vs N; the lower bound dashed."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(workloads), figsize=(5.2 * len(workloads), 4.4), squeeze=False)
    for ax, workload in zip(axes[0], workloads, strict=True):
        for tool in tools:
            points = sorted((r.size, r.wall) for r in table if r.workload == workload and r.tool == tool)
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=tool)
        lower = sorted((n, b) for (w, n), b in bounds.items() if w == workload)
        if lower:
            ax.plot(*zip(*lower, strict=True), "k--", label="lower bound")
        ax.set(title=workload, xlabel="hosts (N)", ylabel="wall time, s (median)",
               xscale="log", yscale="log")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
