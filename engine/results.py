"""What a step did on a host, as frozen data; the registered variable is derived from it.

A registered result (``register: intf``) is the plain mapping returned by
``StepResult.to_vars()``; its fields are documented in the README and in
``schemas/results.schema.json``.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from engine import __version__
from engine.errors import ExitCode


class Status(StrEnum):
    """The outcome of one step on one host."""

    OK = "ok"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"


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
        data = {"host": self.host, "prompt": self.prompt, "ignored": self.ignored}
        return {**data, **self.to_vars(), "facts": dict(self.facts)}


@dataclass(frozen=True)
class StepRecord:
    """A step of a play and every host's result for it, in inventory order."""

    play: str
    step: str
    results: tuple[StepResult, ...]


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
        }


def write_json_atomic(path: str | os.PathLike[str], data: Any, mask: Mask) -> None:
    """Write JSON through a temporary file and a rename, so a reader never sees half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(mask_data(data, mask), indent=2, ensure_ascii=False, default=str) + "\n"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Mask:
    """Replaces every known secret value in a text with ``********``."""

    # Shorter values are too common in device output to mask without mangling it.
    MIN_LENGTH = 4

    def __init__(self, secrets: Sequence[str] | frozenset[str] = ()) -> None:
        # Longest first, so a secret that contains another is masked whole.
        chosen = {s for s in secrets if len(s) >= self.MIN_LENGTH}
        self._secrets = sorted(chosen, key=len, reverse=True)
        self.secrets = frozenset(chosen)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "********")
        return text


class Journal:
    """Results as JSON Lines, one record per host per step, flushed as each completes,
    so a run that is killed still leaves everything it did on disk."""

    def __init__(self, path: str | os.PathLike[str] | None, mask: Mask) -> None:
        self._mask = mask
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def write(self, play: str, result: StepResult) -> None:
        if self._file is None:
            return
        record = mask_data({"play": play, "step": result.step, **result.to_json()}, self._mask)
        line = json.dumps(record, ensure_ascii=False, default=str)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def mask_data(data: Any, mask: Mask) -> Any:
    """Mask secrets in every string of a JSON-like structure (before it is encoded, so
    escaping can never hide a secret from the mask)."""
    if isinstance(data, str):
        return mask(data)
    if isinstance(data, Mapping):
        return {key: mask_data(value, mask) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [mask_data(value, mask) for value in data]
    return data
