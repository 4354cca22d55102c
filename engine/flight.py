"""A host's step under way: what it has sent so far, and the host's time budget.

The step runs on a worker; the main thread may have to report it before it ends. After
Ctrl-C or SIGTERM, commands in flight get the grace period, then the run's results are
final: a step that has sent anything by then is reported `failed`, kind `interrupted`,
with what it sent and the answers it got (a config step: its lines may have been
applied), never as not run. Each pass of the step hands its `Trace` here as it starts.

The host's `--host-timeout` budget bounds each command's timeout and the waits between the
attempts of an `until` step.
"""

from __future__ import annotations

import threading
import time

from engine.actions import Trace
from engine.errors import FailureKind, HostBudgetUsedUp
from engine.model import Step
from engine.results import Status, StepResult

Key = tuple[int, int]  # (play index, step index) in the plan


class Flight:
    """One host's step in progress: begun on a worker, read by the main thread."""

    def __init__(self, host: str = "") -> None:
        self.host = host
        self.deadline: float | None = None  # time.monotonic() when the budget ends
        self._lock = threading.Lock()
        self._key: Key | None = None
        self._step: Step | None = None
        self._traces: list[Trace] = []
        self._started = 0.0

    def begin(self, key: Key, step: Step, deadline: float | None) -> None:
        with self._lock:
            self._key, self._step, self._traces = key, step, []
            self._started, self.deadline = time.monotonic(), deadline

    def follow(self, trace: Trace) -> Trace:
        """A pass of the step starts: what it sends is kept in `trace`."""
        with self._lock:
            self._traces.append(trace)
        return trace

    def sent(self) -> bool:
        """Whether the step has handed anything to the device."""
        with self._lock:
            return any(trace.sent for trace in self._traces)

    def bound(self, timeout: float | None) -> float | None:
        """A command's `timeout` cut to what is left of the host's budget."""
        if self.deadline is None:
            return timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise HostBudgetUsedUp(self.host)
        return left if timeout is None else min(timeout, left)

    def outlasts(self, seconds: float) -> bool:
        """Whether the host's budget ends before `seconds` from now."""
        return self.deadline is not None and time.monotonic() + seconds >= self.deadline

    def cut_short(self) -> tuple[Key, StepResult] | None:
        """The step as the run's stop left it, if it had sent anything: failed, with what
        it sent and the answers it got."""
        with self._lock:
            key, step, traces = self._key, self._step, list(self._traces)
        commands = tuple(command for trace in traces for command in list(trace.sent))
        if key is None or step is None or not commands:
            return None
        why = (
            "the configuration it sent may have been applied"
            if step.changes_config
            else f"last sent: {commands[-1]!r}"
        )
        result = StepResult(
            self.host,
            step.name,
            Status.FAILED,
            commands=commands,
            outputs=tuple(reply.output for trace in traces for reply in list(trace.replies)),
            changed=any(trace.changed for trace in traces),
            error=f"interrupted before the step finished; {why}",
            kind=FailureKind.INTERRUPTED,
            elapsed=time.monotonic() - self._started,
        )
        return key, result
