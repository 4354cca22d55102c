"""What every tool adapter provides, and the job it is given."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from benchmarks.workloads import Outcome, Target


@dataclass(frozen=True)
class Job:
    """One run of one tool: a fresh directory, the hosts, the workload, the parallelism."""

    workdir: Path
    targets: tuple[Target, ...]
    workload: str
    forks: int
    tag: str  # unique per run; W2 writes it into the config so stale state cannot pass


class Tool:
    """A benchmarked tool. Subclasses set `name` and implement `command` and `outcomes`."""

    name: ClassVar[str] = ""
    max_hosts: ClassVar[int | None] = None  # default cap on N, overridable from the CLI

    def parallelism(self, n: int, forks: int) -> int:
        """How many hosts the tool works on at once (its bound depends on it)."""
        return min(forks, n)

    def unavailable(self) -> str | None:
        """Why this tool cannot run here (printed), or None."""
        return None

    def prepare(self) -> None:
        """Once, before the first run (untimed)."""

    def command(self, job: Job) -> list[str]:
        """Write the tool's input files into job.workdir and return the argv to run."""
        raise NotImplementedError

    def outcomes(self, job: Job) -> dict[str, Outcome]:
        """Read what the tool reported, per host name."""
        raise NotImplementedError

    def env(self, job: Job) -> dict[str, str]:
        """The child's environment."""
        root = str(Path(__file__).resolve().parents[2])  # so `-m benchmarks.peers...` imports
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
        return {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}

    def details(self, job: Job) -> dict[str, Any]:
        """Optional extra facts about a run (e.g. per-step timings) for the JSON."""
        return {}


def bench_python() -> str:
    """The interpreter of the benchmark environment (the one running the harness)."""
    return sys.executable


def bench_bin(program: str) -> str | None:
    """A console script of the benchmark environment, or None if it is not installed."""
    local = Path(sys.executable).parent / program
    return str(local) if local.exists() else shutil.which(program)


def module_missing(*modules: str) -> str | None:
    """A reason naming the first module that cannot be imported, or None."""
    for module in modules:
        if importlib.util.find_spec(module) is None:
            hint = "pip install -r benchmarks/requirements.txt"
            return f"python module '{module}' is not installed ({hint})"
    return None


def read_json(path: Path) -> Any:
    """A tool's JSON output, or None when the tool did not write it."""
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text[text.find("{") :] if "{" in text else text)
    except (OSError, ValueError):
        return None


def script_outcomes(data: Any, key_of: dict[str, str]) -> dict[str, Outcome]:
    """Outcomes from a peer script's results file: {key: {ok, outputs, error}}."""
    outcomes: dict[str, Outcome] = {}
    for key, entry in (data or {}).items():
        name = key_of.get(key, key)
        outcomes[name] = Outcome(
            bool(entry.get("ok")), tuple(entry.get("outputs", ())), entry.get("error")
        )
    return outcomes
