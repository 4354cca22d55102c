"""Runs a playbook: plays in order, steps in order, each step fanned out over its hosts.

Only the main thread renders templates, evaluates conditions and updates shared state
(registered variables, failed hosts); worker threads only talk to devices and return
`StepResult`s. A host that fails is recorded and sits out the rest of the run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.drivers import ConnectionSettings, Driver, DriverFactory, Reply, netmiko_factory
from engine.errors import DeviceError, InputError
from engine.inventory import Host, Inventory, PatternError
from engine.model import Play, Playbook, Step
from engine.results import RunResult, Status, StepRecord, StepResult
from engine.runner import Runner
from engine.templating import TemplateError, evaluate, render, render_value


@dataclass(frozen=True)
class RunSettings:
    """Everything about a run that does not come from the playbook or the inventory."""

    forks: int = 20
    limit: str | None = None
    extra_vars: Mapping[str, Any] = field(default_factory=dict)
    connection: ConnectionSettings = field(default_factory=ConnectionSettings)


class Events(Protocol):
    """What the executor tells its reporter, always from the main thread."""

    def play_started(self, play: Play, hosts: Sequence[Host]) -> None: ...

    def step_finished(self, play: Play, step: Step, record: StepRecord) -> None: ...


class _Silent:
    def play_started(self, play: Play, hosts: Sequence[Host]) -> None:
        pass

    def step_finished(self, play: Play, step: Step, record: StepRecord) -> None:
        pass


@dataclass(frozen=True)
class _Task:
    """One host's share of a step, rendered on the main thread."""

    host: Host
    step: Step
    commands: tuple[str, ...]


class _Session:
    """A host's driver, opened on first use and kept for the whole run."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.opened = False

    def ready(self) -> Driver:
        if not self.opened:
            self.driver.open()
            self.opened = True
        return self.driver


def select_hosts(
    playbook: Playbook, inventory: Inventory, limit: str | None
) -> dict[int, tuple[Host, ...]]:
    """Hosts of each play (by index), narrowed by `--limit`; errors before any connection."""
    limited = {h.name for h in inventory.select(limit)} if limit else None
    chosen: dict[int, tuple[Host, ...]] = {}
    for i, play in enumerate(playbook.plays):
        try:
            hosts = inventory.select(play.hosts)
        except PatternError as exc:
            raise _hosts_error(playbook, play, str(exc), exc.hint) from exc
        chosen[i] = tuple(h for h in hosts if limited is None or h.name in limited)
    return chosen


def _hosts_error(playbook: Playbook, play: Play, message: str, hint: str | None) -> InputError:
    path = (*play.location.path, "hosts")
    if playbook.document is not None:
        return InputError([playbook.document.problem(path, message, hint=hint)])
    return InputError.at(playbook.file, message, path=path, hint=hint)


class Executor:
    """One run of one playbook against one inventory."""

    def __init__(
        self,
        playbook: Playbook,
        inventory: Inventory,
        settings: RunSettings,
        *,
        driver_factory: DriverFactory = netmiko_factory,
        events: Events | None = None,
    ) -> None:
        self.playbook = playbook
        self.inventory = inventory
        self.settings = settings
        self.events: Events = events or _Silent()
        self.play_hosts = select_hosts(playbook, inventory, settings.limit)
        self._factory = driver_factory
        self._sessions: dict[str, _Session] = {}
        self._registered: dict[str, dict[str, Any]] = {h.name: {} for h in inventory.hosts}
        self._down: set[str] = set()
        self._records: list[StepRecord] = []

    def run(self) -> RunResult:
        """Run every play; always closes the sessions it opened."""
        started, clock = time.time(), time.monotonic()
        with Runner(self.settings.forks) as runner:
            try:
                for i, play in enumerate(self.playbook.plays):
                    self._run_play(runner, play, self.play_hosts[i])
            finally:
                runner.map(lambda s: s.driver.close(), list(self._sessions.values()))
        return RunResult(
            playbook=self.playbook.file,
            inventory=self.inventory.file,
            hosts=self._all_hosts(),
            steps=tuple(self._records),
            started=started,
            elapsed=time.monotonic() - clock,
        )

    def _all_hosts(self) -> tuple[str, ...]:
        names = {h.name for hosts in self.play_hosts.values() for h in hosts}
        return tuple(h.name for h in self.inventory.hosts if h.name in names)

    def _run_play(self, runner: Runner, play: Play, hosts: Sequence[Host]) -> None:
        self.events.play_started(play, hosts)
        for step in play.steps:
            record = self._run_step(runner, play, step, hosts)
            self._records.append(record)
            self.events.step_finished(play, step, record)

    def _run_step(
        self, runner: Runner, play: Play, step: Step, hosts: Sequence[Host]
    ) -> StepRecord:
        decided: dict[str, StepResult] = {}
        tasks: list[_Task] = []
        for host in hosts:
            if host.name in self._down:
                continue
            outcome = self._prepare(play, step, host)
            if isinstance(outcome, StepResult):
                decided[host.name] = outcome
            else:
                tasks.append(outcome)
        for task in tasks:
            if task.host.name not in self._sessions:
                driver = self._factory(task.host, self.settings.connection)
                self._sessions[task.host.name] = _Session(driver)
        for result in runner.map(self._work, tasks):
            decided[result.host] = result
        results = tuple(decided[h.name] for h in hosts if h.name in decided)
        self._absorb(step, results)
        return StepRecord(play.name, step.name, results)

    def _prepare(self, play: Play, step: Step, host: Host) -> _Task | StepResult:
        """Evaluate `when` and render the commands for one host, on the main thread."""
        try:
            variables = self.variables(host, play, step)
            if step.when is not None and not evaluate(step.when, variables):
                return StepResult(host.name, step.name, Status.SKIPPED)
            commands = tuple(render(c, variables) for c in step.commands)
        except TemplateError as exc:
            return StepResult(host.name, step.name, Status.FAILED, error=f"{step.location}: {exc}")
        return _Task(host, step, commands)

    def variables(self, host: Host, play: Play, step: Step) -> dict[str, Any]:
        """Variables a step sees on a host, lowest precedence first (see the README)."""
        scope: dict[str, Any] = {**host.vars}
        scope.update(self._builtins(host))
        scope.update(render_value(dict(play.vars), scope))
        scope.update(render_value(dict(step.vars), scope))
        scope.update(self._registered[host.name])
        scope.update(self.settings.extra_vars)
        return scope

    def _builtins(self, host: Host) -> dict[str, Any]:
        return {
            "inventory_hostname": host.name,
            "hostvars": HostVars(self),
            "groups": {"all": [h.name for h in self.inventory.hosts], **self.inventory.groups},
            "group_names": list(host.groups),
        }

    def host_variables(self, name: str) -> dict[str, Any]:
        """What `hostvars[name]` shows: inventory vars, registered results, extra vars."""
        host = self.inventory.host(name)
        return {
            **host.vars,
            "inventory_hostname": name,
            "group_names": list(host.groups),
            **self._registered[name],
            **self.settings.extra_vars,
        }

    def _work(self, task: _Task) -> StepResult:
        """Run one host's share of a step (worker thread). Never raises."""
        start = time.monotonic()
        session = self._sessions[task.host.name]
        replies: list[Reply] = []
        try:
            driver = session.ready()
            for reply in _exchange(driver, task):
                replies.append(reply)
                if reply.error is not None:
                    break
        except DeviceError as exc:
            return _result(task, replies, start, status=Status(exc.status), error=exc.message)
        except Exception as exc:  # a bug must cost one host, not the run
            return _result(task, replies, start, status=Status.FAILED, error=f"internal: {exc!r}")
        error = next((r.error for r in replies if r.error is not None), None)
        status = Status.FAILED if error else Status.OK
        return _result(task, replies, start, status=status, error=error, prompt=driver.prompt)

    def _absorb(self, step: Step, results: Sequence[StepResult]) -> None:
        """Register results and mark failed hosts (main thread only)."""
        for result in results:
            if step.register:
                self._registered[result.host][step.register] = result.to_vars()
            if result.failed:
                self._down.add(result.host)


def _exchange(driver: Driver, task: _Task) -> Iterator[Reply]:
    if task.step.action == "config":
        yield driver.configure(task.commands)
        return
    for command in task.commands:
        yield driver.send(command)


def _result(
    task: _Task,
    replies: Sequence[Reply],
    start: float,
    *,
    status: Status,
    error: str | None = None,
    prompt: str | None = None,
) -> StepResult:
    return StepResult(
        host=task.host.name,
        step=task.step.name,
        status=status,
        commands=task.commands,
        outputs=tuple(r.output for r in replies),
        changed=task.step.action == "config" and bool(replies),
        error=error,
        elapsed=time.monotonic() - start,
        prompt=prompt,
    )


class HostVars(Mapping[str, Mapping[str, Any]]):
    """`hostvars[name]`: any host's variables, computed when a template reads them."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._names = [h.name for h in executor.inventory.hosts]

    def __getitem__(self, name: str) -> Mapping[str, Any]:
        if name not in self._names:
            raise KeyError(name)
        return self._executor.host_variables(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
