"""What a step did on a host, as frozen data; the registered variable is derived from it.

A registered result (``register: intf``) is the plain mapping returned by
``StepResult.to_vars()``; its fields are documented in the README and in
``schemas/results.schema.json``.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from engine import __version__
from engine.errors import ExitCode
from engine.files import FileBusyError, atomic_write, open_locked
from engine.secrets import Mask
from engine.terminal import json_safe

HIDDEN = "<hidden by no_log>"
PHASES = ("connect", "enable", "commands", "waiting")  # where a host's time went (`timings`)


class Status(StrEnum):
    """The outcome of one step on one host."""

    OK = "ok"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Rollback:
    """`rollback_on_failure`: putting a failed host's archived running-config back."""

    file: str  # the archive on the device, e.g. flash:netplay-rollback-20261201-101500.cfg
    step: str  # the first guarded step that changed the host: what the rollback undoes
    ok: bool
    output: str = ""  # the device's answer to `configure replace`
    error: str | None = None
    diff: str | None = None  # what the rollback changed back, as a running-config diff

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "step": self.step,
            "status": "ok" if self.ok else "failed",
            "output": self.output,
            "error": self.error,
            "diff": self.diff,
        }

    def redacted(self) -> Rollback:
        return replace(self, output=self.output and HIDDEN, diff=self.diff and HIDDEN)


@dataclass(frozen=True)
class StepResult:
    """One host's result for one step. A failed host is data, never an exception."""

    host: str
    step: str
    status: Status
    commands: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    changed: bool = False
    error: str | None = None
    kind: str | None = None  # what failed: unreachable, auth, timeout, rejected, session, ...
    elapsed: float = 0.0
    prompt: str | None = None
    parsed: tuple[Mapping[str, Any], ...] | None = None
    diff: str | None = None
    ignored: bool = False
    attempts: int = 1
    items: tuple[StepResult, ...] | None = None  # one per `loop` item
    item: Any = None
    facts: Mapping[str, Any] = field(default_factory=dict)  # what a `set` step computed
    message: str | None = None  # an assertion's success or failure message
    rollback: Rollback | None = None  # the host failed after a guarded change
    started: float | None = None  # seconds from the run's start to this host's start of the step

    @property
    def output(self) -> str:
        """All outputs joined, in command order."""
        return "\n".join(self.outputs)

    @property
    def failed(self) -> bool:
        return self.status in (Status.FAILED, Status.UNREACHABLE)

    @property
    def stops_host(self) -> bool:
        """A failure that takes the host out of the rest of the run."""
        return self.failed and not self.ignored

    def to_vars(self) -> dict[str, Any]:
        """The registered variable: a plain mapping templates and conditions can read."""
        data: dict[str, Any] = {
            "output": self.output,
            "outputs": list(self.outputs),
            "commands": list(self.commands),
            "status": self.status.value,
            "failed": self.failed,
            "changed": self.changed,
            "skipped": self.status is Status.SKIPPED,
            "error": self.error,
            "kind": self.kind,
            "elapsed": round(self.elapsed, 3),
            "parsed": None if self.parsed is None else [dict(r) for r in self.parsed],
            "diff": self.diff,
            "attempts": self.attempts,
            "msg": self.message,
        }
        if self.items is not None:
            data["results"] = [{"item": i.item, **i.to_vars()} for i in self.items]
        return data

    def to_json(self) -> dict[str, Any]:
        started = None if self.started is None else round(self.started, 3)
        data = {
            "host": self.host,
            "prompt": self.prompt,
            "ignored": self.ignored,
            "started": started,
        }
        rollback = {"rollback": self.rollback.to_json()} if self.rollback else {}
        return {**data, **self.to_vars(), "facts": dict(self.facts), **rollback}

    def redacted(self) -> StepResult:
        """What may be shown of a `no_log` step: its status, kind and timing; every
        command, output, record, diff, message, fact and loop item is replaced by HIDDEN."""
        return replace(
            self,
            commands=(HIDDEN,) if self.commands else (),
            outputs=(HIDDEN,) if self.outputs else (),
            error=self.error and HIDDEN,
            message=self.message and HIDDEN,
            parsed=None,
            diff=self.diff and HIDDEN,
            facts=dict.fromkeys(self.facts, HIDDEN),
            item=None if self.item is None else HIDDEN,
            items=None if self.items is None else tuple(i.redacted() for i in self.items),
            rollback=self.rollback and self.rollback.redacted(),
        )


@dataclass(frozen=True)
class StepRecord:
    """A step of a play and every host's result for it, in inventory order."""

    play: str
    step: str
    results: tuple[StepResult, ...]

    def redacted(self) -> StepRecord:
        """The record of a `no_log` step, as it may be shown and saved."""
        return replace(self, results=tuple(r.redacted() for r in self.results))


@dataclass(frozen=True)
class BatchRecord:
    """One batch of a play with `serial`: its hosts, those that failed, whether it ran."""

    play: str
    number: int
    total: int
    hosts: tuple[str, ...]
    failed: tuple[str, ...] = ()
    ran: bool = True  # False: the rollout stopped before this batch

    def to_json(self) -> dict[str, Any]:
        return {
            "play": self.play,
            "batch": self.number,
            "of": self.total,
            "hosts": list(self.hosts),
            "failed": list(self.failed),
            "ran": self.ran,
        }


@dataclass(frozen=True)
class RolloutStop:
    """Why a rollout stopped (`max_fail_percentage`, `any_errors_fatal`), and where."""

    play: str
    batch: int
    reason: str


@dataclass(frozen=True)
class Recap:
    """Per-host counts over the whole run."""

    ok: int = 0
    changed: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0
    ignored: int = 0


@dataclass(frozen=True)
class RunResult:
    """The whole run: every step record, in order, plus timing."""

    playbook: str
    inventory: str
    hosts: tuple[str, ...]
    steps: tuple[StepRecord, ...]
    started: float
    elapsed: float
    interrupted: bool = False
    mode: Mapping[str, str] = field(default_factory=dict)
    timings: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    batches: tuple[BatchRecord, ...] = ()
    stopped: RolloutStop | None = None

    def recap(self) -> dict[str, Recap]:
        counts = {host: dict.fromkeys(Recap.__dataclass_fields__, 0) for host in self.hosts}
        for record in self.steps:
            for result in record.results:
                key = "ignored" if result.ignored else result.status.value
                counts[result.host][key] += 1
                counts[result.host]["changed"] += result.changed
        return {host: Recap(**values) for host, values in counts.items()}

    def exit_code(self) -> ExitCode:
        """0 all ok; 3 if a host was unreachable; 2 if a host failed; 99 if interrupted."""
        if self.interrupted:
            return ExitCode.INTERRUPTED
        statuses = {r.status for rec in self.steps for r in rec.results if not r.ignored}
        if Status.UNREACHABLE in statuses:
            return ExitCode.HOST_UNREACHABLE
        if Status.FAILED in statuses:
            return ExitCode.HOST_FAILED
        return ExitCode.OK

    def to_json(self) -> dict[str, Any]:
        return {
            "netplay": __version__,
            "playbook": self.playbook,
            "inventory": self.inventory,
            "started": self.started,
            "elapsed": round(self.elapsed, 3),
            "interrupted": self.interrupted,
            "mode": dict(self.mode),
            "hosts": list(self.hosts),
            "steps": [
                {"play": r.play, "step": r.step, "results": [x.to_json() for x in r.results]}
                for r in self.steps
            ],
            "recap": {h: vars(c) for h, c in self.recap().items()},
            "timings": {h: dict(t) for h, t in self.timings.items()},
            "batches": [b.to_json() for b in self.batches],
            "stopped": vars(self.stopped) if self.stopped else None,
        }


def own_time(timing: Mapping[str, float]) -> float:
    """A host's own time (connect, enable, commands): waiting at a lockstep barrier is the
    slower hosts' time, not its own."""
    return sum(timing.get(phase, 0.0) for phase in PHASES[:3])


def json_text(data: Any, mask: Mask, *, indent: int | None = None) -> str:
    """`data` as JSON with every secret masked (before encoding, so escaping cannot hide
    one) and terminal control characters escaped (the same value, inert when shown)."""
    return json_safe(json.dumps(mask.data(data), indent=indent, ensure_ascii=False, default=str))


def write_json_atomic(path: str | os.PathLike[str], data: Any, mask: Mask) -> None:
    """Write JSON whole or not at all (a reader never sees half a file), private (0600)."""
    atomic_write(path, json_text(data, mask, indent=2) + "\n")


class Journal:
    """Results as JSON Lines, one record per host per step, flushed as each completes,
    so a run that is killed still leaves everything it did on disk.

    The file is private (0600), never written through a symbolic link, and locked while
    the run lasts: a second run on the same `--results` is refused (FileBusyError, exit
    5) before it contacts any device, instead of interleaving its lines.
    """

    def __init__(self, path: str | os.PathLike[str] | None, mask: Mask) -> None:
        self._mask = mask
        self._lock = threading.Lock()
        self._file: io.BufferedWriter | None = None
        if path is not None:
            try:
                self._file = open_locked(path)
            except FileBusyError:
                raise FileBusyError(
                    f"another netplay run is writing {path} (the journal of the same "
                    "--results file); wait for it to finish or choose another --results"
                ) from None

    def write(self, play: str, result: StepResult) -> None:
        if self._file is None:
            return
        line = json_text({"play": play, "step": result.step, **result.to_json()}, self._mask)
        with self._lock:
            self._file.write(line.encode("utf-8") + b"\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
