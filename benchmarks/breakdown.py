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
    barrier: float  # elapsed minus what the hosts' own steps need (see `breakdown`)
    sessions: tuple[tuple[str, float], ...] = ()  # (phase, median overhead) from `timings`

    def summary(self) -> str:
        """One line: start-up, each step's overhead (median/max over hosts), barriers."""
        steps = "; ".join(
            f"{name} {median:.2f}/{worst:.2f} over {delay:.2f} lab"
            for name, delay, median, worst in self.steps
        )
        phases = ", ".join(f"{phase} {seconds:.2f}" for phase, seconds in self.sessions)
        opening = f" (of which {phases})" if phases else ""
        return (
            f"wall {self.wall:.2f} = start-up+exit {self.startup:.2f}, "
            f"step overhead median/max [{steps}]{opening}, barrier/queue wait {self.barrier:.2f}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "startup": round(self.startup, 3),
            "barrier": round(self.barrier, 3),
            "session_overhead_median": {p: round(s, 3) for p, s in self.sessions},
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
    workload: str, wall: float, details: Mapping[str, Any], profile: Profile, forks: int
) -> Breakdown | None:
    """The decomposition of one netplay run, or None without per-host timings.

    The barrier/queue wait is netplay's elapsed time minus what its hosts' own steps need
    with `forks` workers: max(slowest host, all hosts' step time / forks).
    """
    per_host: Mapping[str, Sequence[float]] = details.get("per_host") or {}
    elapsed = details.get("elapsed")
    names = [s["step"] for s in details.get("steps", [])]
    if not per_host or elapsed is None or len(names) != len(_STEP_LINES[workload]):
        return None
    delays = {h: _step_delays(h, workload, profile) for h in per_host}
    steps = tuple(_step(i, name, per_host, delays) for i, name in enumerate(names))
    own = [sum(times) for times in per_host.values()]
    needed = max(max(own), sum(own) / min(forks, len(own)))
    sessions = _sessions(details.get("timings") or {}, profile)
    return Breakdown(wall, wall - float(elapsed), steps, float(elapsed) - needed, sessions)


def _sessions(
    timings: Mapping[str, Mapping[str, float]], profile: Profile
) -> tuple[tuple[str, float], ...]:
    """Median overhead of opening a session, per phase netplay times (connect, enable)."""
    lab = {"connect": (0, 3), "enable": (3, 5)}  # login + terminal width/length; enable + secret
    out = []
    for phase, (start, end) in lab.items():
        hosts = [h for h in timings if phase in timings[h]]
        if hosts:
            overheads = [timings[h][phase] - _draws(h, profile, start, end) for h in hosts]
            out.append((phase, statistics.median(overheads)))
    return tuple(out)


def _draws(host: str, profile: Profile, start: int, end: int) -> float:
    return sum(host_delays(host, profile, SESSION_LINES)[start:end])


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
