"""One SSH session per host for the whole run: opened on first use, reopened once if the
device drops it, bounded by the host's time budget, and sending nothing new once the run
is stopping. It keeps the host's running-config copy and, in a play with
`rollback_on_failure`, the host's archive (engine.rollback)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from engine import steps as stage
from engine.configdiff import RunningConfig
from engine.drivers import ConnectionSettings, Driver, DriverFactory, Reply
from engine.errors import FailureKind, HostBudgetUsedUp, StepInterrupted
from engine.flight import Flight, Key
from engine.inventory import Host
from engine.model import Play
from engine.platforms import show_running
from engine.results import StepResult
from engine.rollback import PLATFORMS, Checkpoint
from engine.runner import RateLimiter, Runner, Stop
from engine.steps import Options, Work

# After the grace period, sessions get this long to close politely.
CLOSE_SECONDS = 1.5


class Session:
    """A host's driver: opened on first use (rate-limited), reopened once if dropped."""

    def __init__(
        self,
        host: Host,
        factory: DriverFactory,
        connection: ConnectionSettings,
        limiter: RateLimiter,
        stop: Stop | None = None,
    ) -> None:
        self.host = host
        self._factory = factory
        self._connection = connection
        self._limiter = limiter
        self._stop = stop or Stop()
        self.driver: Driver | None = None
        self.deadline: float | None = None
        self.timings: dict[str, float] = {}  # connect / enable seconds, from the driver
        # read by ensure and --diff, kept across steps
        self.running = RunningConfig(host.name, show_running(host.platform))
        self.checkpoint: Checkpoint | None = None  # this play's archive (rollback_on_failure)
        self.flight = Flight(host.name)  # the step under way, for a stop that cuts it short

    def ready(self) -> Driver:
        if self.driver is None:
            self.driver = self._open()
        return _Stoppable(self.driver, self.host.name, self._stop)

    def reopen(self) -> Driver:
        self.close()
        self.running.forget()  # the dropped session may have been in the middle of a change
        return self.ready()

    def _open(self) -> Driver:
        driver = self._connect()
        for name, seconds in getattr(driver, "timings", {}).items():
            self.timings[name] = self.timings.get(name, 0.0) + seconds
        return driver

    def _connect(self) -> Driver:
        connection = self._connection
        budget = self.remaining()
        if budget is not None:
            connection = replace(
                connection, connect_timeout=min(connection.connect_timeout, budget)
            )
        self._limiter.wait()
        if self._stop.is_set():  # the run stopped while this connection waited its turn
            raise StepInterrupted(self.host.name, "interrupted before connecting")
        driver = self._factory(self.host, connection)
        driver.open()
        return driver

    def remaining(self) -> float | None:
        """Seconds left of the host's `--host-timeout` budget (None: no budget)."""
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise HostBudgetUsedUp(self.host.name)
        return left

    def execute(
        self, work: Work, key: Key, options: Options, host_timeout: float | None
    ) -> StepResult | None:
        """Run one host's share of a step, reconnecting once if dropped (a worker's job,
        on the controller or a Dask worker). None when the run stopped before anything
        was sent."""
        if self._stop.is_set():
            return None
        if self.deadline is None and host_timeout:
            self.deadline = time.monotonic() + host_timeout
        self.flight.begin(key, work.step, self.deadline)
        args = (replace(options, flight=self.flight), self.running, self.checkpoint)
        result = stage.execute(work, self.ready, *args)
        lost = result.kind == FailureKind.SESSION
        if lost and not work.step.changes_config:
            result = stage.execute(work, self.reopen, *args)
        elif lost:
            note = "; not re-sent: configuration may have been applied"
            result = replace(result, error=f"{result.error}{note}")
        if result.kind == FailureKind.INTERRUPTED and not self.flight.sent():
            return None
        return result

    def close(self) -> None:
        driver, self.driver = self.driver, None
        if driver is not None:
            driver.close()

    def needs_rollback(self, result: StepResult) -> bool:
        """Whether the host failed after a `rollback_on_failure` change of this play."""
        return result.stops_host and self.checkpoint is not None and self.checkpoint.taken

    def rolled_back(self, result: StepResult, timeout: float | None) -> StepResult:
        """`result`, with the host's archived running-config put back if it needs to be."""
        if not self.needs_rollback(result):
            return result
        assert self.checkpoint is not None
        rollback = self.checkpoint.restore(self.ready, self.reopen, self.running, timeout)
        return replace(result, rollback=rollback)

    def not_rolled_back(self, result: StepResult) -> StepResult:
        """`result` of a host the run's stop kept from its rollback, saying so."""
        if not self.needs_rollback(result):
            return result
        assert self.checkpoint is not None
        why = f"not attempted: the run was interrupted; the archive is {self.checkpoint.file}"
        return replace(result, rollback=self.checkpoint.failed(why))


class Sessions:
    """Every host's session for a run, by host name, and the run's connections to the
    jump hosts they go through (engine.drivers.bastion)."""

    def __init__(
        self,
        hosts: Iterable[Host],
        factory: DriverFactory,
        connection: ConnectionSettings,
        limiter: RateLimiter,
        stop: Stop,
    ) -> None:
        hosts = tuple(hosts)
        if any(h.jump is not None for h in hosts):
            from engine.drivers.bastion import Bastions  # paramiko: only for runs that jump

            connection = replace(connection, tunnels=Bastions(connection))
        self._tunnels = connection.tunnels
        self._by_name = {h.name: Session(h, factory, connection, limiter, stop) for h in hosts}

    def __getitem__(self, name: str) -> Session:
        return self._by_name[name]

    def arm(self, play: Play, hosts: Iterable[Host], archive: str, *, guarded: bool) -> None:
        """A fresh archive (`archive`, a file name) per host for a play with
        `rollback_on_failure` steps, unless not `guarded`; none for other plays."""
        guarded = guarded and any(step.rollback_on_failure for step in play.steps)
        for host in hosts:
            platform = PLATFORMS.get(host.platform) if guarded else None  # the plan checked it
            self._by_name[host.name].checkpoint = (
                Checkpoint(host.name, platform, archive) if platform is not None else None
            )

    def roll_back(
        self, runner: Runner, failed: Sequence[StepResult], timeout: float | None
    ) -> Iterator[StepResult]:
        """Put the archived running-config back on each of these failed hosts, in
        parallel; a host the run's stop left out says so in its result."""
        restored = runner.map(lambda r: self[r.host].rolled_back(r, timeout), failed)
        for result, done in zip(failed, restored, strict=True):
            yield done if done is not None else self[result.host].not_rolled_back(result)

    def cut_short(self) -> Iterator[tuple[Key, StepResult]]:
        """Each host's step that the run's stop cut short after it had sent something, as
        the stop left it (see engine.flight)."""
        for session in self._by_name.values():
            cut = session.flight.cut_short()
            if cut is not None:
                yield cut[0], session.not_rolled_back(cut[1])

    def timings(
        self, busy: Mapping[str, float], waiting: Mapping[str, float]
    ) -> dict[str, dict[str, float]]:
        """Where each host's time went, from the seconds its steps took (`busy`) and those
        it waited at barriers: connect, enable, commands, waiting."""
        table = {}
        for name, total in busy.items():
            opened = self[name].timings
            connect, enable = opened.get("connect", 0.0), opened.get("enable", 0.0)
            table[name] = {
                "connect": round(connect, 3),
                "enable": round(enable, 3),
                "commands": round(max(0.0, total - connect - enable), 3),
                "waiting": round(waiting.get(name, 0.0), 3),
            }
        return table

    def close(self, *, wait: bool) -> None:
        """Close every open session in parallel, waiting at most a few seconds (none when
        leaving at once)."""
        threads = [
            threading.Thread(target=s.close, daemon=True)
            for s in self._by_name.values()
            if s.driver is not None
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + (CLOSE_SECONDS if wait else 0.0)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._tunnels is not None:
            self._tunnels.close()


class _Stoppable:
    """A driver that sends nothing once the run is stopping (Ctrl-C, SIGTERM): the command
    in flight finishes, the next one is not sent."""

    def __init__(self, driver: Driver, host: str, stop: Stop) -> None:
        self._driver = driver
        self._host = host
        self._stop = stop

    @property
    def prompt(self) -> str | None:
        return self._driver.prompt

    def open(self) -> None:
        self._check("connecting")
        self._driver.open()

    def send(
        self,
        command: str,
        *,
        timeout: float | None = None,
        expect: str | None = None,
        answers: Mapping[str, str] | None = None,
    ) -> Reply:
        self._check(f"sending {command!r}")
        return self._driver.send(command, timeout=timeout, expect=expect, answers=answers)

    def configure(
        self,
        lines: Sequence[str],
        *,
        timeout: float | None = None,
        error_patterns: Sequence[str] = (),
    ) -> Reply:
        self._check("configuring")
        return self._driver.configure(lines, timeout=timeout, error_patterns=error_patterns)

    def save(self, *, timeout: float | None = None) -> Reply:
        self._check("saving the configuration")
        return self._driver.save(timeout=timeout)

    def close(self) -> None:
        self._driver.close()

    def _check(self, doing: str) -> None:
        if self._stop.is_set():
            raise StepInterrupted(self._host, f"interrupted before {doing}")
