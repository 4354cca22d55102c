"""Argument types for the command line: each checks one kind of value and says what it
wants, so a bad option is a usage error (exit 5) before anything is read or contacted."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.options import MAX_LOCAL_WORKERS, ExecutorSpec
from engine.reports import FORMATS

MAX_SECONDS = 86_400.0  # a day: longer is a typo, and huge values overflow socket timeouts
MIN_CONNECT_RATE = 0.1  # one connection every 10 s; slower would look like a hang
MAX_FORKS = 1000
MAX_RUNS_KEPT = 100_000


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def seconds(text: str) -> float:
    """A timeout: seconds, more than 0 and at most a day."""
    value = _number(text)
    if not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"must be more than 0 and at most {MAX_SECONDS:g} seconds, not {text!r}"
        )
    return value


def rate(text: str) -> float:
    """Connections a second: at least MIN_CONNECT_RATE."""
    value = _number(text)
    if value < MIN_CONNECT_RATE:
        raise argparse.ArgumentTypeError(
            f"must be at least {MIN_CONNECT_RATE:g} (one connection every"
            f" {1 / MIN_CONNECT_RATE:g} s), not {text!r}"
        )
    return value


def _integer(text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be from {low} to {high}, not {text!r}")
    return value


def forks(text: str) -> int:
    return _integer(text, 1, MAX_FORKS)


def port(text: str) -> int:
    return _integer(text, 1, 65535)


def executor(text: str) -> ExecutorSpec:
    """`threads`, `auto`, `processes:N` (N forked worker processes), `dask-local:N` (a
    LocalCluster of N) or `dask://HOST:PORT`."""
    if text in ("threads", "auto"):
        return ExecutorSpec(text)
    for kind in ("processes", "dask-local"):
        if text.startswith(f"{kind}:"):
            count = _integer(text.removeprefix(f"{kind}:"), 1, MAX_LOCAL_WORKERS)
            return ExecutorSpec(kind, workers=count)
    if text.startswith("dask://"):
        host, colon, number = text.removeprefix("dask://").rpartition(":")
        if not (host and colon) or any(c in host for c in "/@ "):
            raise argparse.ArgumentTypeError(f"{text!r} is not dask://HOST:PORT")
        return ExecutorSpec("dask", address=f"{host}:{port(number)}")
    raise argparse.ArgumentTypeError(
        f"{text!r} is not an executor (auto, threads, processes:N, dask-local:N, dask://HOST:PORT)"
    )


def runs_kept(text: str) -> int:
    """How many runs the history keeps: 1 to MAX_RUNS_KEPT."""
    return _integer(text, 1, MAX_RUNS_KEPT)


def existing_file(text: str) -> Path:
    """A file to read: it must exist and not be a folder."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text} does not exist")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    return path


def existing_folder(text: str) -> Path:
    """A folder to read from: it must exist."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is not a folder")
    return path


def new_file(text: str) -> Path:
    """A file to write: its folder must exist (nothing is created silently), and it must
    not be a folder itself."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    _writable_folder(path.parent, text)
    return path


def folder(text: str) -> Path:
    """A folder to write into: an existing folder, or a new one whose parent exists
    (created when first needed)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    _writable_folder(path if path.exists() else path.parent, text)
    return path


def _writable_folder(parent: Path, text: str) -> None:
    shown = str(parent) if str(parent) != "." else "the current folder"
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"folder {shown} of {text} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot write in {shown}")


def tags(text: str) -> frozenset[str]:
    return frozenset(t.strip() for t in text.split(",") if t.strip())


class ReportTarget(argparse.Action):
    """`--report FORMAT FILE`, repeatable: a known format and a file netplay may write."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        kind, file = values if isinstance(values, list | tuple) else (values, "")
        if kind not in FORMATS:
            raise argparse.ArgumentError(
                self, f"{kind!r} is not a report format ({', '.join(FORMATS)})"
            )
        try:
            target = (kind, new_file(file))
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentError(self, str(exc)) from None
        setattr(namespace, self.dest, (*getattr(namespace, self.dest, ()), target))
