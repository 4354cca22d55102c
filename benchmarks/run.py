"""The benchmark: every tool, workload and size against one lab, then the table.

python -m benchmarks [--sizes 3,10,100] [--tools netplay,nornir] [--repeat 3] ...
"""

from __future__ import annotations

import contextlib
import os
import platform
import shlex
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

import psutil

from benchmarks import chart, report
from benchmarks.bound import Bound, workload_bound
from benchmarks.breakdown import breakdown
from benchmarks.lab import LabProcess, running_lab, write_lab_inventory
from benchmarks.measure import become_subreaper, run_measured
from benchmarks.options import Options, parse
from benchmarks.records import RunRecord, Skip, rows, sort_rows
from benchmarks.tools import ALL, Job, Tool
from benchmarks.workloads import verify

_KEEP = ("stdout.txt", "stderr.txt", "results.json", "playbook.yml")  # kept from failed runs


class Bench:
    """One benchmark session: its tools, the records so far, and where to write them."""

    def __init__(
        self, opts: Options, tools: list[Tool], skips: list[Skip], argv: Sequence[str]
    ) -> None:
        self.opts, self.tools, self.skips = opts, tools, skips
        self.records: list[RunRecord] = []
        self.bounds: dict[tuple[str, int], Bound] = {}  # at the common parallelism
        self._own: dict[tuple[str, int, int], Bound] = {}  # at any tool's parallelism
        self._names: list[str] = []
        self.started = time.monotonic()
        self.meta = _meta(opts, argv)

    def run(self, tmp: Path) -> None:
        size = max(self.opts.sizes)
        inventory = tmp / "lab-inventory.yml"
        write_lab_inventory(inventory, size, self.opts.profile)
        with running_lab(self._lab_argv(inventory), size, self.opts.out / "lab.log") as lab:
            self._names = [t.name for t in lab.targets]
            self.meta["lab_restarts_delays"] = lab.can_reseed
            print(
                f"lab: {size} hosts up (pid {lab.pid}); delays restarted per run: {lab.can_reseed}",
                flush=True,
            )
            for n in self.opts.sizes:
                for workload in self.opts.workloads:
                    self._cell(lab, tmp, workload, n)

    def _lab_argv(self, inventory: Path) -> list[str]:
        if self.opts.lab == "netplay":
            netplay = str(Path(sys.executable).parent / "netplay")
            return [netplay, "lab", "serve", "-i", str(inventory), "--port", str(self.opts.port)]
        return [sys.executable, "-m", "benchmarks.labserver", str(inventory), str(self.opts.port)]

    def _cell(self, lab: LabProcess, tmp: Path, workload: str, n: int) -> None:
        """Every tool on one workload and size, `repeat` times, tools interleaved."""
        self.bounds[(workload, n)] = self._bound(workload, n, self._forks(n))
        print(
            f"--- {workload} N={n}: lower bound {self.bounds[(workload, n)].seconds:.2f} s",
            flush=True,
        )
        runnable = [t for t in self.tools if self._allowed(t, workload, n)]
        for repeat in range(1, self.opts.repeat + 1):
            for tool in runnable:
                if time.monotonic() - self.started > self.opts.budget:
                    self.skips.append(
                        Skip(tool.name, workload, n, "time budget (--budget) used up")
                    )
                    continue
                self._one(lab, tmp, tool, workload, n, repeat)
            self._write()

    def _allowed(self, tool: Tool, workload: str, n: int) -> bool:
        cap = self.opts.caps.get(tool.name, tool.max_hosts)
        if cap is not None and n > cap:
            self.skips.append(
                Skip(tool.name, workload, n, f"N > {cap} (its cap; --max-hosts {tool.name}=N)")
            )
            return False
        return True

    def _bound(self, workload: str, n: int, parallelism: int) -> Bound:
        key = (workload, n, parallelism)
        if key not in self._own:
            names = self._names[:n]
            self._own[key] = workload_bound(workload, names, self.opts.profile, parallelism)
        return self._own[key]

    def _bound_seconds(self, workload: str, n: int, parallelism: int) -> float | None:
        return self._bound(workload, n, parallelism).seconds if self._names else None

    def _forks(self, n: int) -> int:
        return min(self.opts.forks, n)

    def _one(
        self, lab: LabProcess, tmp: Path, tool: Tool, workload: str, n: int, repeat: int
    ) -> None:
        tag = f"{tool.name}-{workload}-n{n}-r{repeat}"
        workdir = tmp / "runs" / tag
        workdir.mkdir(parents=True)
        job = Job(workdir, tuple(lab.targets[:n]), workload, self._forks(n), tag)
        argv = tool.command(job)
        lab.reseed()
        lab_cpu, load = _cpu(lab.pid), os.getloadavg()[0]
        m = run_measured(
            argv, cwd=workdir, env=tool.env(job), timeout=self.opts.timeout, exclude={lab.pid}
        )
        failures = verify(workload, job.targets, tool.outcomes(job), tag)
        if m.timed_out:
            failures["(run)"] = f"killed after {self.opts.timeout:.0f} s"
        details = dict(tool.details(job))
        record_forks = tool.parallelism(n, job.forks)
        if tool.name.startswith("netplay") and not failures:
            split = breakdown(workload, m.wall, details, self.opts.profile, record_forks)
            details["breakdown"] = split.to_json() if split else None
        record = RunRecord(
            tool.name,
            workload,
            n,
            repeat,
            record_forks,
            m,
            failures,
            round(_cpu(lab.pid) - lab_cpu, 3),
            load,
            details,
        )
        self.records.append(record)
        _progress(record)
        if failures or m.returncode != 0:
            _keep(workdir, self.opts.out / "failed" / tag)
        shutil.rmtree(workdir, ignore_errors=True)

    def _write(self) -> None:
        """Results so far: JSON after every cell, so an interrupted run still leaves data."""
        table = sort_rows(rows(self.records, self._bound_seconds), [t.name for t in self.tools])
        bounds = {k: b.to_json() for k, b in self.bounds.items()}
        report.write_json(
            self.opts.out / "results.json", self.meta, self.records, table, bounds, self.skips
        )

    def _seconds(self) -> dict[tuple[str, int], float]:
        return {k: b.seconds for k, b in self.bounds.items()}

    def finish(self) -> str:
        """Write JSON, Markdown and PNG; return the plain-text table."""
        self._write()
        bounds = self._seconds()
        table = sort_rows(rows(self.records, self._bound_seconds), [t.name for t in self.tools])
        cells = report.table_cells(table, bounds)
        text = report.text_table(cells)
        skipped = report.skips_text(self.skips)
        split = "\n".join(self._breakdowns())
        if split:
            split = f"where netplay's time goes (seconds; median run):\n{split}"
        parts = [f"`{self.meta['command']}`", report.markdown_table(cells), report.NOTE, skipped]
        parts += [f"```\n{split}\n```"] if split else []
        (self.opts.out / "results.md").write_text(
            "\n\n".join(p for p in parts if p) + "\n", encoding="utf-8"
        )
        if table:
            chart.draw(
                self.opts.out / "results.png",
                table,
                bounds,
                self.opts.workloads,
                [t.name for t in self.tools],
            )
        return f"{text}\n{report.NOTE}\n{skipped}\n{split}".rstrip()

    def _breakdowns(self) -> list[str]:
        """For each workload and size, netplay's median successful run, decomposed."""
        groups: dict[tuple[str, int, str], list[RunRecord]] = {}
        for r in self.records:
            if r.tool.startswith("netplay") and not r.failures:
                groups.setdefault((r.workload, r.size, r.tool), []).append(r)
        out = []
        for (workload, n, tool), runs in sorted(groups.items()):
            median = sorted(runs, key=lambda r: r.measurement.wall)[(len(runs) - 1) // 2]
            split = breakdown(
                workload, median.measurement.wall, median.details, self.opts.profile, median.forks
            )
            if split is not None:
                out.append(f"  {workload} N={n} {tool}: {split.summary()}")
        return out


def _cpu(pid: int) -> float:
    with contextlib.suppress(psutil.Error):
        times = psutil.Process(pid).cpu_times()
        return float(times.user + times.system)
    return 0.0


def _progress(r: RunRecord) -> None:
    m = r.measurement
    status = (
        "ok"
        if not r.failures
        else f"{len(r.failures)} FAILED (e.g. {next(iter(r.failures.items()))})"
    )
    print(
        f"{r.workload} N={r.size} {r.tool:<10} #{r.repeat}: {m.wall:7.2f} s  "
        f"cpu {m.cpu:6.2f} s  mem {m.peak_pss / 2**20:6.0f} MiB  "
        f"lab cpu {r.lab_cpu:5.2f} s  load {r.load:4.1f}  {status}",
        flush=True,
    )


def _keep(workdir: Path, dest: Path) -> None:
    """Copy a failed run's outputs (not its inventories, which hold the lab's credentials)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in _KEEP:
        if (workdir / name).exists():
            shutil.copy2(workdir / name, dest / name)


def _meta(opts: Options, argv: Sequence[str]) -> dict[str, Any]:
    versions = {}
    for package in (
        "netplay",
        "netmiko",
        "paramiko",
        "nornir",
        "nornir-netmiko",
        "ansible-core",
        "ansible",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return {
        "command": shlex.join(["python", "-m", "benchmarks", *argv]),
        "sizes": opts.sizes,
        "workloads": opts.workloads,
        "repeat": opts.repeat,
        "forks": opts.forks,
        "profile": opts.profile.knobs(),
        "timeout": opts.timeout,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "versions": versions,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    opts = parse(args)
    for sig in (signal.SIGTERM, signal.SIGINT):  # SIGINT too: nohup/`&` would ignore it
        signal.signal(sig, _stop)
    if not become_subreaper():
        print("note: not a subreaper; daemonized processes escape the CPU measurement", flush=True)
    opts.out.mkdir(parents=True, exist_ok=True)
    tools, skips = _available(opts)
    bench = Bench(opts, tools, skips, args)
    code = 0
    try:
        with tempfile.TemporaryDirectory(prefix="netplay-bench-") as tmp:
            bench.run(Path(tmp))
    except KeyboardInterrupt:
        print("interrupted: the lab is stopped; writing what was measured", flush=True)
        code = 99
    print(bench.finish())
    print(f"wrote {opts.out / 'results.json'}, results.md, results.png", flush=True)
    return code


def _available(opts: Options) -> tuple[list[Tool], list[Skip]]:
    tools, skips = [], []
    for cls in ALL:
        if cls.name not in opts.tools:
            continue
        tool = cls()
        reason = tool.unavailable()
        if reason is None:
            tool.prepare()
            tools.append(tool)
            continue
        print(f"skipping {tool.name}: {reason}", flush=True)
        skips += [Skip(tool.name, w, n, reason) for w in opts.workloads for n in opts.sizes]
    return tools, skips
