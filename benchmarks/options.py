"""Command-line options of the benchmark."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.lab import Profile
from benchmarks.tools import NAMES
from benchmarks.workloads import WORKLOADS


@dataclass(frozen=True)
class Options:
    sizes: tuple[int, ...]
    workloads: tuple[str, ...]
    tools: tuple[str, ...]
    repeat: int
    forks: int
    profile: Profile
    out: Path
    port: int
    timeout: float  # per run
    budget: float  # seconds for the whole benchmark; later runs are skipped past it
    caps: dict[str, int]  # tool -> largest N it runs
    lab: str  # "bench" (restartable delays) or "netplay" (plain `netplay lab serve`)


def _csv(
    kind: Callable[[str], Any], choices: Sequence[str] | None = None
) -> Callable[[str], tuple[Any, ...]]:
    """An argparse type: a comma-separated list of `kind`, each one of `choices` if given."""

    def parse(text: str) -> tuple[Any, ...]:
        items = tuple(kind(item.strip()) for item in text.split(",") if item.strip())
        bad = [i for i in items if choices is not None and i not in choices]
        if bad or not items:
            expected = f"choose from {', '.join(choices)}" if choices else "a comma-separated list"
            raise argparse.ArgumentTypeError(f"{expected}: {text!r}")
        return items

    return parse


def _caps(text: str) -> dict[str, int]:
    caps = {}
    for item in text.split(","):
        name, _, value = item.partition("=")
        if name.strip() not in NAMES or not value.strip().isdigit():
            raise argparse.ArgumentTypeError(f"expected TOOL=N[,TOOL=N], got {item!r}")
        caps[name.strip()] = int(value)
    return caps


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks", description="netplay against its peers, on one simulated lab."
    )
    p.add_argument(
        "--sizes", type=_csv(int), default=(3, 10, 30, 100, 500), help="N values (3,10,30,100,500)"
    )
    p.add_argument("--workloads", type=_csv(str, WORKLOADS), default=WORKLOADS, help="W1,W2,W3")
    p.add_argument("--tools", type=_csv(str, NAMES), default=NAMES, help=",".join(NAMES))
    p.add_argument(
        "--repeat", type=int, default=3, help="runs per cell; the table shows medians (3)"
    )
    p.add_argument(
        "--forks",
        type=int,
        default=100,
        help="parallelism of every tool that has it, capped at N (100)",
    )
    p.add_argument(
        "--connect-delay", type=float, default=1.0, help="seconds before a login is accepted (1.0)"
    )
    p.add_argument(
        "--command-delay",
        type=float,
        default=0.2,
        help="seconds before each command's answer (0.2)",
    )
    p.add_argument(
        "--jitter", type=float, default=0.3, help="± fraction applied to every delay (0.3)"
    )
    p.add_argument("--out", type=Path, default=Path("benchmarks/results"), help="output directory")
    p.add_argument(
        "--port", type=int, default=2222, help="lab port on every loopback address (2222)"
    )
    p.add_argument(
        "--timeout", type=float, default=600, help="seconds before a run is killed (600)"
    )
    p.add_argument(
        "--budget",
        type=float,
        default=4 * 3600,
        help="seconds for everything; later runs are skipped (14400)",
    )
    p.add_argument(
        "--max-hosts",
        type=_caps,
        default={},
        help="raise or lower a tool's largest N, e.g. ansible=100,sequential=30 "
        "(defaults: ansible=30, sequential=10)",
    )
    p.add_argument(
        "--lab",
        choices=("bench", "netplay"),
        default="bench",
        help="bench: restart delay draws before every run (exact bound); "
        "netplay: plain `netplay lab serve`",
    )
    return p


def parse(argv: Sequence[str] | None = None) -> Options:
    a = parser().parse_args(argv)
    if a.repeat < 1 or a.forks < 1 or min(a.sizes) < 1:
        parser().error("--repeat, --forks and every size must be at least 1")
    return Options(
        sizes=tuple(sorted(set(a.sizes))),
        workloads=a.workloads,
        tools=a.tools,
        repeat=a.repeat,
        forks=a.forks,
        profile=Profile(a.connect_delay, a.command_delay, a.jitter),
        out=a.out,
        port=a.port,
        timeout=a.timeout,
        budget=a.budget,
        caps=a.max_hosts,
        lab=a.lab,
    )
