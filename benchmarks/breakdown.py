"""Where netplay's time goes: its per-host step timings against the lab's delays.

netplay's `--results` gives every host's elapsed time per step (the first step includes the
connection). Subtracting the delays the lab applied to that host in that step (replayed as
in `bound`) leaves the client-side overhead of the step: SSH handshakes, netmiko's sleeps and
prompt probes, CPU, thread scheduling. What remains of the run's elapsed time beyond the
slowest host's own steps is time spent waiting at step barriers; what remains of the wall
time beyond the run's elapsed time is start-up and shutdown of the process.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.bound import SESSION_LINES, host_delays, workload_lines
from benchmarks.lab import Profile

# Delayed lines of each step after the first (which also has the login and session lines).
_STEP_LINES = {"W1": (1,), "W2": (1, 7, 1), "W3": (1, 4)}


@dataclass(frozen=True)
class Breakdown:
    """One netplay run, decomposed (seconds)."""

    wall: float
    startup: float  # wall minus netplay's own elapsed: interpreter, imports, parsing, exit
    steps: tuple[tuple[str, float, float, float], ...]  # (step, lab delay, overhead med, max)
    barrier: float  # elapsed minus the slowest host's own sum of steps

    def summary(self) -> str:
        """One line: start-up, each step's overhead (median/max over hosts), barriers."""
        steps = "; ".join(
            f"{name} {median:.2f}/{worst:.2f} over {delay:.2f} lab"
            for name, delay, median, worst in self.steps
        )
        return (
            f"wall {self.wall:.2f} = start-up+exit {self.startup:.2f}, "
            f"step overhead median/max [{steps}], barrier wait {self.barrier:.2f}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "startup": round(self.startup, 3),
            "barrier": round(self.barrier, 3),
            "steps": [
                {
                    "step": n,
                    "lab_delay": round(d, 3),
                    "overhead_median": round(m, 3),
                    "overhead_max": round(w, 3),
                }
                for n, d, m, w in self.steps
            ],
        }


def breakdown(
    workload: str, wall: float, details: Mapping[str, Any], profile: Profile
) -> Breakdown | None:
    """The decomposition of one netplay run, or None without per-host timings."""
    per_host: Mapping[str, Sequence[float]] = details.get("per_host") or {}
    elapsed = details.get("elapsed")
    names = [s["step"] for s in details.get("steps", [])]
    if not per_host or elapsed is None or len(names) != len(_STEP_LINES[workload]):
        return None
    delays = {h: _step_delays(h, workload, profile) for h in per_host}
    steps = tuple(_step(i, name, per_host, delays) for i, name in enumerate(names))
    slowest = max(sum(times) for times in per_host.values())
    return Breakdown(wall, wall - float(elapsed), steps, float(elapsed) - slowest)


def _step_delays(host: str, workload: str, profile: Profile) -> list[float]:
    draws = host_delays(host, profile, SESSION_LINES + workload_lines(workload))
    sizes = list(_STEP_LINES[workload])
    sizes[0] += 1 + SESSION_LINES  # the first step also logs in and prepares the session
    out, start = [], 0
    for size in sizes:
        out.append(sum(draws[start : start + size]))
        start += size
    return out


def _step(
    index: int,
    name: str,
    per_host: Mapping[str, Sequence[float]],
    delays: Mapping[str, Sequence[float]],
) -> tuple[str, float, float, float]:
    overheads = [per_host[h][index] - delays[h][index] for h in per_host]
    typical = statistics.median(delays[h][index] for h in per_host)
    return name, typical, statistics.median(overheads), max(overheads)
