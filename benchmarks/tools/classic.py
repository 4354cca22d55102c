"""The classic scripts: a sequential netmiko loop and one thread per device."""

from __future__ import annotations

from typing import ClassVar

import yaml

from benchmarks.lab import PASSWORD, SECRET, USERNAME
from benchmarks.tools.base import (
    Job,
    Tool,
    bench_python,
    module_missing,
    read_json,
    script_outcomes,
)
from benchmarks.workloads import Outcome


def write_devices(job: Job) -> None:
    """The course's devices.yaml: group `routers`, a list of netmiko connection dicts."""
    routers = [
        {
            "name": t.name,
            "device_type": "cisco_ios",
            "ip": t.address,
            "port": t.port,
            "username": USERNAME,
            "password": PASSWORD,
            "secret": SECRET,
        }
        for t in job.targets
    ]
    (job.workdir / "devices.yaml").write_text(
        yaml.safe_dump({"routers": routers}, sort_keys=False), encoding="utf-8"
    )


class _Classic(Tool):
    mode: ClassVar[str] = ""

    def unavailable(self) -> str | None:
        return module_missing("netmiko", "yaml")

    def command(self, job: Job) -> list[str]:
        write_devices(job)
        return [
            bench_python(),
            "-m",
            "benchmarks.peers.classic",
            self.mode,
            "devices.yaml",
            job.workload,
            job.tag,
            "results.json",
        ]

    def outcomes(self, job: Job) -> dict[str, Outcome]:
        key_of = {t.address: t.name for t in job.targets}
        return script_outcomes(read_json(job.workdir / "results.json"), key_of)


class Threads(_Classic):
    """One threading.Thread per device, results through a queue.Queue."""

    name = "threads"
    mode = "threads"

    def parallelism(self, n: int, forks: int) -> int:
        return n  # unbounded by design: that is the script being compared


class Sequential(_Classic):
    """One device after the other. Slow by nature: capped at N = 10 unless asked."""

    name = "sequential"
    mode = "sequential"
    max_hosts = 10

    def parallelism(self, n: int, forks: int) -> int:
        return 1
