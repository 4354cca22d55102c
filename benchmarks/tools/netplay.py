"""netplay itself: `netplay run PLAYBOOK -i INVENTORY --forks F --results FILE.json -q`."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any, ClassVar

import yaml

from benchmarks.lab import PASSWORD, SECRET, USERNAME
from benchmarks.tools.base import Job, Tool, bench_bin, read_json
from benchmarks.workloads import MGMT_JINJA, SHOW, W2_VERIFY, Outcome, peer_of

W2_LINES = [
    "interface Loopback100",
    "description bench {{ tag }}",
    "ip address 10.{{ 100 + idx // 250 }}.{{ idx % 250 }}.1 255.255.255.255",
    "logging host 127.0.0.{{ idx % 250 + 2 }}",
    "ntp server 127.0.0.1",
]
W3_LINES = [
    "interface Loopback101",
    "description peer {{ peer }} at " + MGMT_JINJA.replace("OUT", "hostvars[peer].intf.output"),
]


def playbook(workload: str) -> dict[str, Any]:
    """The netplay playbook of a workload (templated per host by `idx`, `peer`, `tag`)."""
    show: dict[str, Any] = {"name": "show", "send": SHOW}
    if workload == "W3":
        show["register"] = "intf"  # only W3 reads it, through hostvars
    steps: list[dict[str, Any]] = [show]
    if workload == "W2":
        steps += [{"name": "configure", "config": W2_LINES}, {"name": "verify", "send": W2_VERIFY}]
    elif workload == "W3":
        steps.append({"name": "describe peer", "config": W3_LINES})
    return {"name": f"bench {workload}", "hosts": "all", "steps": steps}


def inventory(job: Job) -> dict[str, Any]:
    hosts = {
        t.name: {
            "host": t.address,
            "port": t.port,
            "vars": {"idx": t.index, "peer": peer_of(t, job.targets).name},
        }
        for t in job.targets
    }
    return {
        "defaults": {
            "platform": "cisco_ios",
            "username": USERNAME,
            "password": PASSWORD,
            "secret": SECRET,
        },
        "hosts": hosts,
    }


class Netplay(Tool):
    """netplay as a user runs it: the executor it chooses by itself (README "Executors")."""

    name = "netplay"
    executor: ClassVar[str | None] = None  # `--executor`; None: netplay's own choice

    def unavailable(self) -> str | None:
        return None if bench_bin("netplay") else "the `netplay` command is not installed"

    def prepare(self) -> None:
        """Compile netplay's modules once, as `pip install` does for a wheel and did for
        every peer in site-packages: an editable checkout would otherwise compile them
        at each start (the runs do not write bytecode)."""
        import compileall

        import engine

        compileall.compile_dir(Path(engine.__file__).parent, quiet=1)

    def command(self, job: Job) -> list[str]:
        for name, data in (
            ("playbook.yml", playbook(job.workload)),
            ("inventory.yml", inventory(job)),
        ):
            (job.workdir / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return [
            bench_bin("netplay") or "netplay",
            "run",
            "playbook.yml",
            "-i",
            "inventory.yml",
            "--forks",
            str(job.forks),
            "-e",
            f"tag={job.tag}",
            "--results",
            "results.json",
            "--known-hosts",  # a fresh file: first contact every run, ~/.ssh untouched
            "known_hosts",
            "-q",
            *(("--executor", self.executor) if self.executor else ()),
        ]

    def outcomes(self, job: Job) -> dict[str, Outcome]:
        data = read_json(job.workdir / "results.json") or {}
        outputs: dict[str, list[str]] = {}
        errors: dict[str, str] = {}
        for step in data.get("steps", []):
            for result in step["results"]:
                outputs.setdefault(result["host"], []).append(result.get("output") or "")
                if result["status"] != "ok":
                    errors.setdefault(result["host"], f"{result['status']}: {result.get('error')}")
        return {
            host: Outcome(host not in errors, tuple(out), errors.get(host))
            for host, out in outputs.items()
        }

    def details(self, job: Job) -> dict[str, Any]:
        """Per-step elapsed over hosts (median, max) and the run's mode, from --results."""
        data = read_json(job.workdir / "results.json") or {}
        steps = []
        for step in data.get("steps", []):
            elapsed = [r.get("elapsed", 0.0) for r in step["results"]]
            if elapsed:
                steps.append(
                    {
                        "step": step["step"],
                        "median": round(statistics.median(elapsed), 3),
                        "max": round(max(elapsed), 3),
                    }
                )
        return {
            "timings": data.get("timings", {}),
            "mode": data.get("mode", {}),
            "elapsed": data.get("elapsed"),
            "steps": steps,
            "per_host": per_host(data),
        }


class NetplayThreads(Netplay):
    """netplay on one process's thread pool, whatever the host count."""

    name = "netplay-threads"
    executor = "threads"


class NetplayProcesses(Netplay):
    """netplay with its device work on two forked worker processes."""

    name = "netplay-processes2"
    executor = "processes:2"


class NetplayDask(Netplay):
    """netplay with its device work on two Dask worker processes (a LocalCluster)."""

    name = "netplay-dask2"
    executor = "dask-local:2"


def per_host(data: dict[str, Any]) -> dict[str, list[float]]:
    """Each host's per-step elapsed seconds, in step order."""
    table: dict[str, list[float]] = {}
    for step in data.get("steps", []):
        for result in step["results"]:
            table.setdefault(result["host"], []).append(result.get("elapsed", 0.0))
    return table
