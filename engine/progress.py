"""The run as it happens: every executor event goes through one queue to one writer thread.

Pipeline workers report each host's result from their own threads; nothing but the writer
thread touches the console, so lines never interleave and a slow terminal never slows the
run. The writer keeps a `Tracker` of the steps under way and hands what happens to a view:

- `engine.live.LiveView` on a terminal: a status region (per running step, hosts done and
  the counts), failures and outputs printed as hosts finish;
- `PlainView` otherwise (piped, `NO_COLOR`, `--no-progress`): the step blocks of
  `engine.report`, each printed once the step has finished on every host, in step order —
  stable lines for logs and tools.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol

from engine.inventory import Host
from engine.model import Play, Step
from engine.report import ConsoleReport, make_console
from engine.results import Recap, RolloutStop, RunResult, StepRecord, StepResult
from engine.rollout import Batch
from engine.secrets import Mask

TICK_SECONDS = 0.25  # how often a terminal's status region is redrawn


@dataclass
class StepProgress:
    """One step of one batch as it runs: the hosts it waits for, the results so far."""

    play: Play
    step: Step
    hosts: tuple[str, ...]  # in inventory order
    opened: float  # time.monotonic() when the executor started the step
    lockstep: bool
    began: float | None = None  # when its first host began it (results' `started`)
    results: dict[str, StepResult] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)  # failed an earlier step: never comes
    final: StepRecord | None = None  # the executor's record, once it has finished the step
    shown: bool = False

    @property
    def expected(self) -> list[str]:
        return [h for h in self.hosts if h not in self.dropped or h in self.results]

    @property
    def running(self) -> list[str]:
        """Hosts the step still waits for."""
        return [h for h in self.expected if h not in self.results]

    @property
    def complete(self) -> bool:
        """Finished on every host. In lockstep only the executor's word counts: it may
        change results after the last host (`save_to`)."""
        return self.final is not None or (not self.lockstep and not self.running)

    def record(self) -> StepRecord:
        if self.final is not None:
            return self.final
        ordered = tuple(self.results[h] for h in self.hosts if h in self.results)
        return StepRecord(self.play.name, self.step.name, ordered)

    def counts(self) -> Recap:
        return tally(self.results.values())


def tally(results: Iterable[StepResult]) -> Recap:
    """How many results ended in each status (`changed` counted among `ok`)."""
    counts = dict.fromkeys(Recap.__dataclass_fields__, 0)
    for result in results:
        counts["ignored" if result.ignored else result.status.value] += 1
        counts["changed"] += result.changed
    return Recap(**counts)


class Tracker:
    """The steps of the running batch, in order (writer thread only)."""

    def __init__(self) -> None:
        self.steps: list[StepProgress] = []
        self.strategy = "lockstep"
        self.run_started: float | None = None  # the first play's start: results' time zero

    def play_started(self, strategy: str, now: float) -> None:
        self.strategy = strategy
        if self.run_started is None:
            self.run_started = now

    def step_started(self, play: Play, step: Step, hosts: Sequence[str], now: float) -> None:
        lockstep = self.strategy == "lockstep"
        self.steps.append(StepProgress(play, step, tuple(hosts), now, lockstep))

    def host_finished(self, step: Step, result: StepResult) -> StepProgress | None:
        """Keep a host's result; a host that stopped is no longer awaited by later steps."""
        for index in range(len(self.steps) - 1, -1, -1):
            entry = self.steps[index]
            if entry.step is step:
                entry.results[result.host] = result
                if result.started is not None and self.run_started is not None:
                    began = self.run_started + result.started
                    entry.began = began if entry.began is None else min(entry.began, began)
                if result.stops_host:
                    for later in self.steps[index + 1 :]:
                        later.dropped.add(result.host)
                return entry
        return None

    def step_finished(self, step: Step, record: StepRecord) -> None:
        for entry in reversed(self.steps):
            if entry.step is step and entry.final is None:
                entry.final = record
                return

    def ready(self) -> list[StepProgress]:
        """Complete steps not shown yet, in step order: a step waits for those before it."""
        shown = []
        for entry in self.steps:
            if entry.shown:
                continue
            if not entry.complete:
                break
            entry.shown = True
            shown.append(entry)
        return shown

    def flush(self) -> list[StepProgress]:
        """Steps the executor will say no more about (the run stopped): shown as they
        are, those with no result left out."""
        left = [e for e in self.steps if not e.shown]
        for entry in left:
            entry.final, entry.shown = entry.record(), True
        self.steps = []
        return [e for e in left if e.final is not None and e.final.results]

    def active(self) -> list[StepProgress]:
        """Steps under way: the first unfinished one, and any other a host has reached."""
        left = [e for e in self.steps if not e.shown and not e.complete]
        return [e for i, e in enumerate(left) if i == 0 or e.results]


class View(Protocol):
    """What the writer thread drives: a way of showing the run."""

    def play_started(self, play: Play, hosts: Sequence[Host], strategy: str) -> None: ...

    def batch_started(self, play: Play, batch: Batch) -> None: ...

    def host_finished(self, entry: StepProgress, result: StepResult) -> None: ...

    def step_done(self, entry: StepProgress) -> None: ...

    def rollout_stopped(self, stop: RolloutStop, hosts: Sequence[str]) -> None: ...

    def tick(self, tracker: Tracker) -> None: ...

    def recap(self, run: RunResult) -> None: ...

    def close(self) -> None: ...


class PlainView:
    """Stable lines: each step's block once it has finished on every host, in order."""

    def __init__(self, report: ConsoleReport) -> None:
        self.report = report

    def play_started(self, play: Play, hosts: Sequence[Host], strategy: str) -> None:
        self.report.play_started(play, hosts, strategy)

    def batch_started(self, play: Play, batch: Batch) -> None:
        self.report.batch_started(play, batch)

    def host_finished(self, entry: StepProgress, result: StepResult) -> None:
        return None

    def step_done(self, entry: StepProgress) -> None:
        self.report.step_finished(entry.play, entry.step, entry.record())

    def rollout_stopped(self, stop: RolloutStop, hosts: Sequence[str]) -> None:
        self.report.rollout_stopped(stop, hosts)

    def tick(self, tracker: Tracker) -> None:
        return None

    def recap(self, run: RunResult) -> None:
        self.report.recap(run)

    def close(self) -> None:
        return None


class Reporter:
    """The executor's `Events`, safe from any thread: each event is queued with its time
    and handled, in order, by the one writer thread. Use as a context manager; `recap`
    last."""

    def __init__(self, view: View, *, refresh: float | None = None) -> None:
        self.view = view
        self.tracker = Tracker()
        self._refresh = refresh
        self._queue: queue.SimpleQueue[tuple[str, tuple[Any, ...], float] | None] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._write, name="netplay-console", daemon=True)
        self._error: BaseException | None = None

    # -- Events (any thread) --------------------------------------------------------------

    def play_started(self, play: Play, hosts: Sequence[Host], strategy: str) -> None:
        self._put("play_started", play, tuple(hosts), strategy)

    def batch_started(self, play: Play, batch: Batch) -> None:
        self._put("batch_started", play, batch)

    def step_started(self, play: Play, step: Step, hosts: Sequence[str]) -> None:
        self._put("step_started", play, step, tuple(hosts))

    def host_finished(self, play: Play, step: Step, result: StepResult) -> None:
        self._put("host_finished", play, step, result)

    def step_finished(self, play: Play, step: Step, record: StepRecord) -> None:
        self._put("step_finished", play, step, record)

    def rollout_stopped(self, stop: RolloutStop, hosts: Sequence[str]) -> None:
        self._put("rollout_stopped", stop, tuple(hosts))

    def recap(self, run: RunResult) -> None:
        """The end of the run: what is still pending, then the recap."""
        self._put("recap", run)

    def _put(self, name: str, *args: Any) -> None:
        self._queue.put((name, args, time.monotonic()))

    # -- lifetime ---------------------------------------------------------------------------

    def __enter__(self) -> Reporter:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._queue.put(None)
        try:
            self._thread.join()
        except BaseException:  # leaving at once (Ctrl-C again): give the terminal back
            self.view.close()
            raise
        if self._error is not None and exc is None:
            raise self._error

    # -- the writer thread ------------------------------------------------------------------

    def _write(self) -> None:
        drawn = 0.0
        try:
            while (event := self._next()) is not None:
                if event[0] != "tick":
                    self._handle(*event)
                # Redrawn at most every `refresh` seconds, however fast results come.
                if self._refresh is not None and event[2] - drawn >= self._refresh:
                    self.view.tick(self.tracker)
                    drawn = event[2]
        except BaseException as exc:  # shown by the main thread once the run is over
            self._error = exc
            self._drain()
        finally:
            self.view.close()

    def _next(self) -> tuple[str, tuple[Any, ...], float] | None:
        try:
            return self._queue.get(timeout=self._refresh)
        except queue.Empty:
            return ("tick", (), time.monotonic())

    def _drain(self) -> None:
        """After a failure here, keep taking events so that closing never waits."""
        while self._queue.get() is not None:
            pass

    def _handle(self, name: str, args: tuple[Any, ...], now: float) -> None:
        tracker, view = self.tracker, self.view
        if name == "play_started":
            self._show(tracker.flush())
            tracker.play_started(args[2], now)
            view.play_started(*args)
        elif name == "batch_started":
            self._show(tracker.flush())
            view.batch_started(*args)
        elif name == "step_started":
            tracker.step_started(args[0], args[1], args[2], now)
        elif name == "host_finished":
            entry = tracker.host_finished(args[1], args[2])
            if entry is not None:
                view.host_finished(entry, args[2])
        elif name == "step_finished":
            tracker.step_finished(args[1], args[2])
        elif name == "rollout_stopped":
            self._show(tracker.flush())
            view.rollout_stopped(*args)
        elif name == "recap":
            self._show(tracker.flush())
            view.recap(args[0])
        self._show(tracker.ready())

    def _show(self, entries: Sequence[StepProgress]) -> None:
        for entry in entries:
            self.view.step_done(entry)


def console_reporter(
    mask: Mask, *, quiet: bool, verbose: int = 0, progress: bool = True, silent: bool = False
) -> Reporter:
    """The run's console: live progress on a terminal, plain lines otherwise (piped,
    `NO_COLOR`, `TERM=dumb`, `--no-progress`); nothing at all when `silent`."""
    console = make_console(quiet=silent)
    exchanges = verbose >= 2
    if progress and not silent and is_live_terminal():
        from engine.live import LiveView

        live = LiveView(console, mask, quiet=quiet, verbose=verbose)
        return Reporter(live, refresh=TICK_SECONDS)
    report = ConsoleReport(console, mask, show_output=not quiet, exchanges=exchanges)
    return Reporter(PlainView(report))


def is_live_terminal() -> bool:
    """Whether stdout is a terminal that may be redrawn (see https://no-color.org)."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()
