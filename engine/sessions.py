"""One SSH session per host for the whole run: opened on first use, reopened once if the
device drops it, bounded by the host's time budget, and sending nothing new once the run
is stopping."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from engine.configdiff import RunningConfig
from engine.drivers import ConnectionSettings, Driver, DriverFactory, Reply
from engine.errors import CommandTimeout, StepInterrupted
from engine.inventory import Host
from engine.runner import RateLimiter, Stop


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
        self.running = RunningConfig(host.name)  # read by ensure and --diff, kept across steps

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
            raise CommandTimeout(self.host.name, "host budget (--host-timeout) used up")
        return left

    def close(self) -> None:
        driver, self.driver = self.driver, None
        if driver is not None:
            driver.close()


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
