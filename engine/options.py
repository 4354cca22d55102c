"""What the command line asks of `run` and `cmd`, as one frozen, checked value.

The command line parses and checks every option (engine.cli) and builds a `RunOptions`;
the library reads only this, never argparse's namespace. Kept free of heavy imports so
that `--help` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.drivers import HostKeyPolicy

DEFAULT_FORKS = 20
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_COMMAND_TIMEOUT = 30.0
DEFAULT_KEEP_RUNS = 50  # runs the history keeps beside a playbook (engine.history)
# The inventory read when none is named (-i): the first of these in the current folder.
DEFAULT_INVENTORIES = ("inventory.yml", "inventory.yaml", "devices.yaml", "devices.yml")


MAX_LOCAL_WORKERS = 64  # `processes:N`, `dask-local:N`: more than that is a typo


@dataclass(frozen=True)
class ExecutorSpec:
    """Where the device work runs (`--executor`): `auto` (decided per run from the host
    count and the cores), `threads`, `processes` (`workers` forked processes),
    `dask-local` (a LocalCluster of `workers` processes) or `dask` (the scheduler at
    `address`, HOST:PORT)."""

    kind: str = "auto"
    workers: int = 0
    address: str = ""

    def __str__(self) -> str:
        if self.kind in ("processes", "dask-local"):
            return f"{self.kind}:{self.workers}"
        return f"dask://{self.address}" if self.kind == "dask" else self.kind


@dataclass(frozen=True)
class RunOptions:
    """Options of `netplay run` and `netplay cmd` (`cmd` leaves the playbook ones alone)."""

    inventory: Path | None = None
    limit: str | None = None
    forks: int = DEFAULT_FORKS
    lab: bool = False
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    command_timeout: float = DEFAULT_COMMAND_TIMEOUT
    host_timeout: float | None = None
    connect_rate: float | None = None
    host_key_policy: HostKeyPolicy = "accept-new"
    known_hosts: Path | None = None
    session_logs: Path | None = None
    vault_key_file: Path | None = None
    ask_pass: bool = False
    executor: ExecutorSpec = ExecutorSpec()
    # run only
    extra_vars: tuple[str, ...] = ()
    allow_dirs: tuple[Path, ...] = ()  # folders the playbook may read files from, besides its own
    results: Path | None = None
    quiet: bool = False
    check: bool = False
    diff: bool = False
    tags: frozenset[str] = frozenset()
    skip_tags: frozenset[str] = frozenset()
    list_steps: bool = False
    start_at_step: str | None = None
    output_dir: Path = Path()
    rerun_failed: Path | None = None
    history: bool = True  # keep the results in .netplay/runs/ beside the playbook
    keep_runs: int = DEFAULT_KEEP_RUNS
    # the console and reports
    verbose: int = 0  # -v: every host's output on a terminal; -vv: as device exchanges
    no_progress: bool = False  # plain lines even on a terminal
    reports: tuple[tuple[str, Path], ...] = ()  # (format, file): `--report junit out.xml`

    @property
    def journal(self) -> Path | None:
        """`--results FILE.json` also writes `FILE.jsonl` as the run goes."""
        return self.results.with_suffix(".jsonl") if self.results else None
