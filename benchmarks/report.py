"""The result table as plain text and Markdown, and the results JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.records import Row, RunRecord, Skip

HEADERS = (
    "workload",
    "N",
    "tool",
    "wall s",
    "min-max s",
    "CPU s",
    "peak MiB",
    "failed",
    "x netplay",
    "x bound",
)
BOUND_LABEL = "(lower bound)"


def _ratio(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "-"


def cells(row: Row) -> list[str]:
    """One table row as text cells."""
    failed = f"{row.failed_hosts} in {row.failed_runs}/{row.runs} runs" if row.failed_runs else "0"
    return [
        row.workload,
        str(row.size),
        row.tool,
        f"{row.wall:.2f}",
        f"{row.wall_min:.2f}-{row.wall_max:.2f}",
        f"{row.cpu:.2f}",
        f"{row.peak_pss / 2**20:.0f}",
        failed,
        _ratio(row.vs_netplay),
        _ratio(row.vs_bound),
    ]


def bound_cells(workload: str, size: int, bound: float, netplay: float | None) -> list[str]:
    vs = _ratio(bound / netplay) if netplay else "-"
    return [workload, str(size), BOUND_LABEL, f"{bound:.2f}", "", "", "", "", vs, "1.00"]


def table_cells(table: Sequence[Row], bounds: Mapping[tuple[str, int], float]) -> list[list[str]]:
    """Every row, each (workload, N) group led by its lower bound."""
    out: list[list[str]] = []
    seen: set[tuple[str, int]] = set()
    for row in table:
        key = (row.workload, row.size)
        if key not in seen and key in bounds:
            seen.add(key)
            netplay = next(
                (r.wall for r in table if (r.workload, r.size, r.tool) == (*key, "netplay")), None
            )
            out.append(bound_cells(*key, bounds[key], netplay))
        out.append(cells(row))
    return out


def text_table(rows: list[list[str]]) -> str:
    """Aligned plain text: numbers right-aligned, names left-aligned."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(HEADERS)
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.ljust(w) if i in (0, 2) else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(HEADERS), rule, *(line(r) for r in rows)])


def markdown_table(rows: list[list[str]]) -> str:
    head = "| " + " | ".join(HEADERS) + " |"
    align = "|" + "|".join("---" if i in (0, 2) else "---:" for i in range(len(HEADERS))) + "|"
    return "\n".join([head, align, *("| " + " | ".join(r) + " |" for r in rows)])


NOTE = (
    "x bound: median wall over the lower bound at the tool's own parallelism "
    "(forks; threads: N; sequential: 1). The (lower bound) row is at the common forks."
)


def skips_text(skips: Sequence[Skip]) -> str:
    """One line per distinct reason a tool was not run."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for skip in skips:
        where = grouped.setdefault((skip.tool, skip.reason), [])
        if f"{skip.workload}/N={skip.size}" not in where:
            where.append(f"{skip.workload}/N={skip.size}")
    return "\n".join(
        f"skipped {tool}: {reason} ({', '.join(where)})"
        for (tool, reason), where in grouped.items()
    )


def write_json(
    path: Path,
    meta: Mapping[str, Any],
    records: Sequence[RunRecord],
    table: Sequence[Row],
    bounds: Mapping[tuple[str, int], Any],
    skips: Sequence[Skip],
) -> None:
    """Everything measured: settings, every run, the aggregated rows, bounds, skips."""
    data = {
        "meta": dict(meta),
        "bounds": [{"workload": w, "size": n, **b} for (w, n), b in bounds.items()],
        "rows": [{**asdict(r), "vs_bound": r.vs_bound} for r in table],
        "runs": [r.to_json() for r in records],
        "skipped": [asdict(s) for s in skips],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
