"""The lower bound of a run: what no tool can beat on this lab.

The lab delays two things (engine/lab/server.py): a login waits its connect delay before the
password is accepted, and every non-blank input line waits a command delay before its
answer (blank lines, which netmiko sends to find the prompt, are answered at once). Each
device draws its delays, in order, from a generator seeded by its name (engine/lab/knobs.py);
the benchmark lab restarts every device's generator before each tool run, so every run
sees the same delays, and this module replays them with the lab's own `Delays` class.

Per host, the work is the sum of the delays its session must wait for, counting exactly the
lines netplay's netmiko session sends (one session per host, in this order):

  login                         connect delay
  terminal width 511            command delay   (netmiko session preparation)
  terminal length 0             command delay
  enable, then the secret       2 command delays
  each show command             1 command delay
  each config step              configure terminal + each line + end

Everything else (TCP and SSH handshakes, blank prompt probes, netmiko's polling, CPU) is
taken as free, so the bound is optimistic. In W3 a host's second step also waits for its
peer's first step (the chain is part of the bound); no step waits for any other host.
With F workers for N hosts (F < N), a run cannot end before max(longest host, total
work / F); `lpt` is a schedule that comes close to that.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.lab import Profile

SESSION_LINES = 4  # terminal width, terminal length, enable, the enable secret


def workload_lines(workload: str) -> int:
    """Delayed lines a workload sends on one host after the session is ready."""
    config_w2 = 1 + 5 + 1  # configure terminal, five lines, end
    config_w3 = 1 + 2 + 1
    return {"W1": 1, "W2": 1 + config_w2 + 1, "W3": 1 + config_w3}[workload]


def host_delays(name: str, profile: Profile, lines: int) -> list[float]:
    """The delays host `name` waits, in order: its connect delay, then `lines` command delays."""
    from engine.lab.knobs import Delays, LabKnobs  # the lab's own draws, not a copy

    delays = Delays(name, LabKnobs.from_mapping(profile.knobs()))
    return [delays.connect(), *(delays.command() for _ in range(lines))]


@dataclass(frozen=True)
class Bound:
    """The bound of one workload and size, and what it is made of."""

    seconds: float  # max(longest host, total / forks)
    longest: float
    total: float
    forks: int
    lpt: float  # makespan of a longest-processing-time-first schedule

    def to_json(self) -> dict[str, float]:
        return {
            "bound": round(self.seconds, 3),
            "longest_host": round(self.longest, 3),
            "total_work": round(self.total, 3),
            "forks": self.forks,
            "lpt": round(self.lpt, 3),
        }


def bound(works: Sequence[float], forks: int, critical: float = 0.0) -> Bound:
    """The packing lower bound of these host works on `forks` workers.

    `critical` is a longer chain that dependencies between hosts force (W3), if any.
    """
    longest, total = max(max(works), critical), sum(works)
    workers = min(forks, len(works))
    return Bound(
        max(longest, total / workers), longest, total, workers, max(critical, lpt(works, workers))
    )


def lpt(works: Sequence[float], workers: int) -> float:
    """Makespan of assigning the longest works first, each to the least loaded worker."""
    loads = [0.0] * workers
    for work in sorted(works, reverse=True):
        heapq.heapreplace(loads, loads[0] + work)
    return max(loads)


def workload_bound(workload: str, names: Sequence[str], profile: Profile, forks: int) -> Bound:
    """The bound for `workload` on hosts `names` (inventory order) with the lab's profile."""
    lines = SESSION_LINES + workload_lines(workload)
    delays = [host_delays(name, profile, lines) for name in names]
    works = [sum(d) for d in delays]
    return bound(works, forks, cross_host_chain(delays) if workload == "W3" else 0.0)


def cross_host_chain(delays: Sequence[Sequence[float]]) -> float:
    """W3: host i's step 2 cannot start before host i+1 (its peer) finished step 1."""
    split = 1 + SESSION_LINES + 1  # login, session lines, the show
    first = [sum(d[:split]) for d in delays]
    second = [sum(d[split:]) for d in delays]
    count = len(delays)
    return max(max(first[i], first[(i + 1) % count]) + second[i] for i in range(count))
