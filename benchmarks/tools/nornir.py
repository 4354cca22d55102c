"""Nornir 3 + nornir_netmiko with the threaded runner, from generated SimpleInventory files."""

from __future__ import annotations

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


def _dump(job: Job, name: str, data: object) -> None:
    (job.workdir / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


class Nornir(Tool):
    name = "nornir"

    def unavailable(self) -> str | None:
        return module_missing("nornir", "nornir_netmiko")

    def command(self, job: Job) -> list[str]:
        hosts = {
            t.name: {
                "hostname": t.address,
                "port": t.port,
                "groups": ["routers"],
                "data": {"index": t.index},
            }
            for t in job.targets
        }
        groups = {"routers": {"platform": "cisco_ios"}}
        defaults = {
            "username": USERNAME,
            "password": PASSWORD,
            "connection_options": {"netmiko": {"extras": {"secret": SECRET}}},
        }
        config = {
            "runner": {"plugin": "threaded", "options": {"num_workers": job.forks}},
            "inventory": {
                "plugin": "SimpleInventory",
                "options": {
                    "host_file": "hosts.yaml",
                    "group_file": "groups.yaml",
                    "defaults_file": "defaults.yaml",
                },
            },
        }
        for name, data in (
            ("hosts.yaml", hosts),
            ("groups.yaml", groups),
            ("defaults.yaml", defaults),
            ("config.yaml", config),
        ):
            _dump(job, name, data)
        return [
            bench_python(),
            "-m",
            "benchmarks.peers.nornir_run",
            "config.yaml",
            job.workload,
            job.tag,
            "results.json",
        ]

    def outcomes(self, job: Job) -> dict[str, Outcome]:
        return script_outcomes(read_json(job.workdir / "results.json"), {})
