"""Benchmark records: one per tool run, and the per (workload, N, tool) rows of the table."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.measure import Measurement


@dataclass(frozen=True)
class RunRecord:
    """One run of one tool on one workload and size."""

    tool: str
    workload: str
    size: int
    repeat: int
    forks: int  # hosts the tool works on at once: forks, N (threads) or 1 (sequential)
    measurement: Measurement
    failures: Mapping[str, str]  # host -> why it does not count as done
    lab_cpu: float = 0.0  # CPU seconds the lab process spent during the run
    load: float = 0.0  # 1-minute load average when the run started
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["failures"] = dict(self.failures)
        return data


@dataclass(frozen=True)
class Skip:
    """A tool × workload × size that was not run, and why."""

    tool: str
    workload: str
    size: int
    reason: str


@dataclass(frozen=True)
class Row:
    """The table row of one tool on one workload and size (medians over repeats)."""

    workload: str
    size: int
    tool: str
    runs: int
    wall: float
    wall_min: float
    wall_max: float
    cpu: float
    peak_pss: int
    failed_hosts: int  # summed over repeats
    failed_runs: int
    bound: float | None
    vs_netplay: float | None = None

    @property
    def vs_bound(self) -> float | None:
        return self.wall / self.bound if self.bound else None


def rows(records: Sequence[RunRecord], bound: Callable[[str, int, int], float | None]) -> list[Row]:
    """Aggregate records into rows, with the ratios to netplay of the same workload and size,
    and to the bound at the tool's own parallelism, `bound(workload, n, parallelism)`."""
    groups: dict[tuple[str, int, str], list[RunRecord]] = {}
    for record in records:
        groups.setdefault((record.workload, record.size, record.tool), []).append(record)
    table = [_row(key, runs, bound(*key[:2], runs[0].forks)) for key, runs in groups.items()]
    netplay = {(r.workload, r.size): r.wall for r in table if r.tool == "netplay"}
    return [_with_ratio(r, netplay.get((r.workload, r.size))) for r in table]


def _row(key: tuple[str, int, str], runs: list[RunRecord], bound: float | None) -> Row:
    walls = [r.measurement.wall for r in runs]
    return Row(
        workload=key[0],
        size=key[1],
        tool=key[2],
        runs=len(runs),
        wall=statistics.median(walls),
        wall_min=min(walls),
        wall_max=max(walls),
        cpu=statistics.median(r.measurement.cpu for r in runs),
        peak_pss=max(r.measurement.peak_pss for r in runs),
        failed_hosts=sum(len(r.failures) for r in runs),
        failed_runs=sum(1 for r in runs if r.failures or r.measurement.timed_out),
        bound=bound,
    )


def _with_ratio(row: Row, netplay_wall: float | None) -> Row:
    if not netplay_wall:
        return row
    return Row(**{**asdict(row), "vs_netplay": row.wall / netplay_wall})


def sort_rows(table: Iterable[Row], tool_order: Sequence[str]) -> list[Row]:
    rank = {name: i for i, name in enumerate(tool_order)}
    return sorted(table, key=lambda r: (r.workload, r.size, rank.get(r.tool, len(rank))))
