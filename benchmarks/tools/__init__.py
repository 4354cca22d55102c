"""One adapter per benchmarked tool: its input files, its command line, its results."""

from __future__ import annotations

from benchmarks.tools.ansible import Ansible
from benchmarks.tools.base import Job, Tool
from benchmarks.tools.classic import Sequential, Threads
from benchmarks.tools.netplay import Netplay, NetplayDask, NetplayProcesses, NetplayThreads
from benchmarks.tools.nornir import Nornir

ALL: tuple[type[Tool], ...] = (
    Netplay,
    NetplayThreads,
    NetplayProcesses,
    NetplayDask,
    Threads,
    Sequential,
    Nornir,
    Ansible,
)
NAMES = tuple(tool.name for tool in ALL)

__all__ = ["ALL", "NAMES", "Job", "Tool"]
