"""Run history: every `run` keeps its results under `.netplay/runs/<id>/` beside the playbook.

A run's folder is made before any device is contacted (so a folder netplay cannot write in
is a usage error, not a lost run) and holds `results.json` — the same masked data that
`--results` writes, written whole when the run ends, however it ends — and, when no
`--results` was given, the journal `results.jsonl` as the run goes. Folders are private
(0700), files 0600, and a symbolic link planted in place of any of them is refused. The
newest `keep` runs are kept; older ones are removed when a new run starts.

A run's id is the UTC time it started, `20261201-101500` (`-2`, `-3`, ... when several runs
start in the same second).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import InputError, UsageError
from engine.files import FileWriteError, private_folder

FOLDER = ".netplay"
RUNS = "runs"
RESULTS = "results.json"
OFF_VARIABLE = "NETPLAY_NO_HISTORY"  # set (not "0"): like --no-history, for CI jobs
_ID = re.compile(r"^(\d{8}-\d{6})(?:-(\d+))?$")
_NAMES_SHOWN = 3


def wanted(enabled: bool) -> bool:
    """Whether this run keeps history: `--no-history` and NETPLAY_NO_HISTORY turn it off."""
    return enabled and os.environ.get(OFF_VARIABLE, "") in ("", "0")


def root_for(path: str | os.PathLike[str]) -> Path:
    """The runs folder of a playbook (beside it) or of a folder (inside it)."""
    where = Path(path)
    return (where if where.is_dir() else where.parent) / FOLDER / RUNS


@dataclass(frozen=True)
class RunFolder:
    """The folder of one run in the history."""

    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def results(self) -> Path:
        return self.path / RESULTS


def begin(playbook: str | os.PathLike[str], keep: int, now: float | None = None) -> RunFolder:
    """A new, private folder for a run of `playbook`, and the history trimmed to the
    newest `keep` runs (this one included)."""
    root = root_for(playbook)
    try:
        private_folder(private_folder(root.parent) / RUNS)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(time.time() if now is None else now))
        folder = _new_folder(root, stamp)
    except FileWriteError as exc:
        raise UsageError(
            f"cannot keep this run's history: {exc}; --no-history runs without it"
        ) from exc
    prune(root, keep)
    return folder


def _new_folder(root: Path, stamp: str) -> RunFolder:
    for number in range(1, 1000):
        name = stamp if number == 1 else f"{stamp}-{number}"
        try:
            return RunFolder(private_folder(root / name, new=True))
        except FileExistsError:
            continue
    raise FileWriteError(f"no free run id for {stamp} in {root}")


def run_ids(root: Path) -> list[str]:
    """The ids of the runs kept in `root`, oldest first; anything else there (a link, a
    file, a name netplay did not make) is left out."""
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    ids = [e.name for e in entries if _ID.match(e.name) and e.is_dir(follow_symlinks=False)]
    return sorted(ids, key=_order)


def _order(run_id: str) -> tuple[str, int]:
    match = _ID.match(run_id)
    assert match is not None
    return match.group(1), int(match.group(2) or 1)


def prune(root: Path, keep: int) -> list[str]:
    """Remove all but the newest `keep` runs; the ids removed. A run another netplay is
    pruning at the same moment is simply gone already."""
    ids = run_ids(root)
    removed = ids[: max(len(ids) - keep, 0)]
    for run_id in removed:
        folder = root / run_id
        # rmtree never follows links inside the tree; the folder itself is checked here
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISDIR(os.lstat(folder).st_mode):
                shutil.rmtree(folder, ignore_errors=True)
    return removed


# -- reading the history ----------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    """One line of `netplay history`."""

    id: str
    started: float | None
    playbook: str
    hosts: int
    elapsed: float | None
    result: str


def summaries(root: Path, playbook: str | None = None) -> list[RunSummary]:
    """Every kept run, oldest first; with `playbook`, only the runs of a playbook of that
    file name."""
    found = []
    for run_id in run_ids(root):
        summary = summarize(run_id, root / run_id / RESULTS)
        if playbook is None or summary.playbook in ("", playbook):
            found.append(summary)
    return found


def summarize(run_id: str, results: Path) -> RunSummary:
    """What `netplay history` says of a run: a run without a readable results file is
    still running, or was killed (its journal, if any, holds what it did)."""
    try:
        data = load_results(results)
    except (InputError, UsageError):
        return RunSummary(run_id, None, "", 0, None, "incomplete: no results (running or killed)")
    return RunSummary(
        id=run_id,
        started=float(data.get("started", 0)),
        playbook=Path(str(data.get("playbook", ""))).name,  # the history is per folder
        hosts=len(data.get("hosts", ())),
        elapsed=float(data.get("elapsed", 0)),
        result=outcome(data),
    )


def outcome(data: Mapping[str, Any]) -> str:
    """`ok`, `ok, 2 changed`, `failed: R2`, `unreachable: R3; failed: R2`, `interrupted`."""
    recap: Mapping[str, Mapping[str, int]] = data.get("recap", {})
    parts = ["interrupted"] if data.get("interrupted") else []
    for status in ("unreachable", "failed"):
        hosts = [host for host, counts in recap.items() if counts.get(status)]
        if hosts:
            parts.append(f"{status}: {_names(hosts)}")
    if parts:
        return "; ".join(parts)
    changed = sum(1 for counts in recap.values() if counts.get("changed"))
    return f"ok, {changed} changed" if changed else "ok"


def table(found: Sequence[RunSummary]) -> str:
    """`netplay history`: one line per run, under a header."""
    rows = [("RUN", "STARTED", "PLAYBOOK", "HOSTS", "TIME", "RESULT")]
    for run in found:
        complete = run.started is not None
        hosts = str(run.hosts) if complete else ""
        took = f"{run.elapsed:.1f}s" if run.elapsed is not None else ""
        rows.append((run.id, local_time(run.started), run.playbook, hosts, took, run.result))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(w) if i in (3, 4) else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


def heading(label: str, data: Mapping[str, Any]) -> str:
    """How `netplay diff` names a run: `20261201-101500  check.yml  2026-12-01 11:15:00
    (3 hosts: ok)`."""
    hosts = len(data.get("hosts", ()))
    started = local_time(float(data["started"])) if "started" in data else "?"
    return (
        f"{label}  {Path(str(data.get('playbook', '?'))).name}  {started}"
        f"  ({hosts} host{'s' * (hosts != 1)}: {outcome(data)})"
    )


def local_time(moment: float | None) -> str:
    if moment is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(moment))


def _names(hosts: Sequence[str]) -> str:
    more = len(hosts) - _NAMES_SHOWN
    return ", ".join(hosts[:_NAMES_SHOWN]) + (f" and {more} more" if more > 0 else "")


def resolve(reference: str, root: Path) -> tuple[str, Path]:
    """A run (its id, or a unique start of it) or a results file (or a run's folder) named
    on the command line: its label and results file."""
    given = Path(reference)
    if given.is_file():
        return reference, given
    if (given / RESULTS).is_file():
        return reference, given / RESULTS
    ids = run_ids(root)
    matches = [i for i in ids if i == reference] or [i for i in ids if i.startswith(reference)]
    if len(matches) == 1:
        return matches[0], root / matches[0] / RESULTS
    if matches:
        raise UsageError(f"{reference!r} names several runs: {', '.join(matches)}")
    raise UsageError(
        f"{reference!r} is neither a results file nor a run kept in {root}"
        " (`netplay history` lists them)"
    )


def latest(root: Path, count: int) -> list[str]:
    """The ids of the newest `count` runs, oldest first; UsageError if there are fewer."""
    ids = run_ids(root)
    if len(ids) < count:
        raise UsageError(
            f"{root} keeps {len(ids)} run{'s' * (len(ids) != 1)}; name the runs or results"
            " files to compare"
        )
    return ids[-count:]


def load_results(path: Path) -> dict[str, Any]:
    """A results file (`--results` or the history's) as data; InputError when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist") from None
    except (OSError, ValueError) as exc:
        raise InputError.at(str(path), f"not a netplay results file: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise InputError.at(str(path), "not a netplay results file: it has no 'steps' list")
    return data
