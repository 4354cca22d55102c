"""Runs a playbook: plays in order, steps in order, each step fanned out over its hosts.

Two strategies:
  lockstep — a step starts when the previous one has finished on every host, so any step
             can read any host's earlier results (`hostvars`). Needed for cross-host plays.
  pipeline — each host runs its steps back to back without waiting for the slowest host.
             Chosen automatically unless a step reads `hostvars`, is `run_once` or has
             `save_to` (see engine.plan).

In lockstep, only the main thread renders templates and updates shared state; workers
only talk to devices. In pipeline, each worker owns exactly one host's state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

from engine import steps as stage
from engine.drivers import ConnectionSettings, DriverFactory, netmiko_factory
from engine.errors import CommandTimeout, SessionLost
from engine.inventory import Host, Inventory
from engine.model import Play, Playbook, Step
from engine.plan import choose_strategy, select_hosts
from engine.results import Journal, RunResult, Status, StepRecord, StepResult
from engine.runner import RateLimiter, Runner
from engine.secrets import Mask
from engine.sessions import Session
from engine.templating import render_value


@dataclass(frozen=True)
class RunSettings:
    """Everything about a run that does not come from the playbook or the inventory."""

    forks: int = 20
    limit: str | None = None
    only_hosts: frozenset[str] | None = None  # e.g. --rerun-failed
    extra_vars: Mapping[str, Any] = field(default_factory=dict)
    connection: ConnectionSettings = field(default_factory=ConnectionSettings)
    check: bool = False
    diff: bool = False
    tags: frozenset[str] = frozenset()
    skip_tags: frozenset[str] = frozenset()
    start_at: str | None = None
    output_dir: Path = Path()
    host_timeout: float | None = None
    connect_rate: float | None = None
    journal: Path | None = None


class Events(Protocol):
    """What the executor tells its reporter, always from the main thread."""

    def play_started(self, play: Play, hosts: Sequence[Host], strategy: str) -> None: ...

    def step_finished(self, play: Play, step: Step, record: StepRecord) -> None: ...


class _Silent:
    def play_started(self, play: Play, hosts: Sequence[Host], strategy: str) -> None:
        pass

    def step_finished(self, play: Play, step: Step, record: StepRecord) -> None:
        pass


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
        mask: Mask | None = None,
    ) -> None:
        self.playbook = playbook
        self.inventory = inventory
        self.settings = settings
        self.factory = driver_factory
        self.events: Events = events or _Silent()
        self.mask = mask or Mask(inventory.secrets())
        self.play_hosts = select_hosts(playbook, inventory, settings.limit)
        self.strategies = [choose_strategy(play) for play in playbook.plays]
        self.limiter = RateLimiter(settings.connect_rate)
        self.options = stage.Options(
            check=settings.check,
            diff=settings.diff,
            command_timeout=settings.connection.command_timeout,
        )
        self._sessions = {
            h.name: Session(h, driver_factory, settings.connection, self.limiter)
            for h in inventory.hosts
        }
        self._registered: dict[str, dict[str, Any]] = {h.name: {} for h in inventory.hosts}
        self._down: set[str] = set()
        self._records: list[StepRecord] = []
        self._modes: dict[str, str] = {}
        self._waiting: dict[str, float] = {}
        self._journal = Journal(settings.journal, self.mask)
        self._started = False

    def run(self) -> RunResult:
        """Run every play; always closes the sessions it opened and saves what ran.

        Ctrl-C (and SIGTERM, which the command line turns into the same) ends the run
        early: it returns what completed, with `interrupted` set."""
        started, clock = time.time(), time.monotonic()
        runner = Runner(self.settings.forks)
        interrupted = False
        try:
            for i, play in enumerate(self.playbook.plays):
                self._run_play(runner, play, self._play_hosts(i), self.strategies[i])
        except KeyboardInterrupt:
            interrupted = True
        finally:
            self._close_sessions()
            runner.close(wait=not interrupted)
            self._journal.close()
        return RunResult(
            playbook=self.playbook.file,
            inventory=self.inventory.file,
            hosts=self._all_hosts(),
            steps=tuple(self._records),
            started=started,
            elapsed=time.monotonic() - clock,
            interrupted=interrupted,
            mode=dict(self._modes),
            timings=self.timings(),
        )

    def _play_hosts(self, index: int) -> tuple[Host, ...]:
        only = self.settings.only_hosts
        return tuple(h for h in self.play_hosts[index] if only is None or h.name in only)

    def _all_hosts(self) -> tuple[str, ...]:
        names = {h.name for i in self.play_hosts for h in self._play_hosts(i)}
        return tuple(h.name for h in self.inventory.hosts if h.name in names)

    def _close_sessions(self) -> None:
        """Close every session in parallel, waiting at most a few seconds."""
        threads = [
            threading.Thread(target=s.close, daemon=True)
            for s in self._sessions.values()
            if s.driver is not None
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 1.5
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    # -- plays ------------------------------------------------------------------------

    def _run_play(self, runner: Runner, play: Play, hosts: Sequence[Host], strategy: str) -> None:
        self._modes[play.name] = strategy
        self.events.play_started(play, hosts, strategy)
        chosen = [s for s in play.steps if self._selected(s)]
        if strategy == "pipeline":
            self._pipeline(runner, play, chosen, [h for h in hosts if h.name not in self._down])
            return
        for step in chosen:
            record = self._lockstep(runner, play, step, self._step_hosts(step, hosts))
            self._finish(play, step, record)

    def _selected(self, step: Step) -> bool:
        """Tags and --start-at-step decide which steps run at all."""
        s = self.settings
        if s.start_at is not None and not self._started:
            self._started = step.name == s.start_at
            if not self._started:
                return False
        if step.tags & s.skip_tags:
            return False
        return not s.tags or bool(step.tags & s.tags) or "always" in step.tags

    def _step_hosts(self, step: Step, hosts: Sequence[Host]) -> list[Host]:
        narrowed = {h.name for h in self.inventory.select(step.hosts)} if step.hosts else None
        return [
            h
            for h in hosts
            if h.name not in self._down and (narrowed is None or h.name in narrowed)
        ]

    def _finish(self, play: Play, step: Step, record: StepRecord) -> None:
        if step.save_to:
            from engine.saving import save_outputs

            def variables(name: str) -> Mapping[str, Any]:
                return self.variables(self.inventory.host(name), play, step)

            record = save_outputs(step, record, variables, self.settings.output_dir, self.mask)
            self._down |= {r.host for r in record.results if r.stops_host}
        record = _shown(step, record)
        self._records.append(record)
        self.events.step_finished(play, step, record)

    # -- lockstep ---------------------------------------------------------------------

    def _lockstep(
        self, runner: Runner, play: Play, step: Step, hosts: Sequence[Host]
    ) -> StepRecord:
        targets = hosts[:1] if step.run_once else hosts
        decided: dict[str, StepResult] = {}
        work: list[stage.Work] = []
        for host in targets:
            outcome = stage.prepare(step, host, self.variables(host, play, step))
            if isinstance(outcome, StepResult):
                decided[host.name] = self._conclude(play, step, outcome)
            else:
                work.append(outcome)

        def done(result: StepResult) -> None:
            decided[result.host] = self._conclude(play, step, result)

        started = time.monotonic()
        try:
            runner.map(self._execute, work, on_done=done)
        finally:
            self._count_waiting(time.monotonic() - started, decided.values())
            record = StepRecord(
                play.name, step.name, tuple(decided[h.name] for h in targets if h.name in decided)
            )
            self._absorb(step, record.results, hosts)
            if len(record.results) < len(targets):  # interrupted mid-step
                self._records.append(_shown(step, record))
        return record

    def _count_waiting(self, wall: float, results: Iterable[StepResult]) -> None:
        """Lockstep's price: how long each host sat at the barrier for the slowest one."""
        for result in results:
            if result.status is not Status.SKIPPED:
                waited = max(0.0, wall - result.elapsed)
                self._waiting[result.host] = self._waiting.get(result.host, 0.0) + waited

    def timings(self) -> dict[str, dict[str, float]]:
        """Where each host's time went: connect, enable, commands, waiting at barriers."""
        busy: dict[str, float] = {}
        for record in self._records:
            for result in record.results:
                busy[result.host] = busy.get(result.host, 0.0) + result.elapsed
        table = {}
        for name, total in busy.items():
            opened = self._sessions[name].timings
            connect, enable = opened.get("connect", 0.0), opened.get("enable", 0.0)
            table[name] = {
                "connect": round(connect, 3),
                "enable": round(enable, 3),
                "commands": round(max(0.0, total - connect - enable), 3),
                "waiting": round(self._waiting.get(name, 0.0), 3),
            }
        return table

    def _conclude(self, play: Play, step: Step, result: StepResult) -> StepResult:
        host = self.inventory.host(result.host)
        if result.status is not Status.SKIPPED:
            result = stage.conclude(step, result, self.variables(host, play, step))
        self._journal.write(play.name, _shown(step, result))
        return result

    def _execute(self, work: stage.Work) -> StepResult:
        """A worker's job: run one host's share of a step, reconnecting once if dropped."""
        session = self._sessions[work.host.name]
        if session.deadline is None and self.settings.host_timeout:
            session.deadline = time.monotonic() + self.settings.host_timeout
        result = stage.execute(work, session.ready, self._options(session), session.running)
        if _lost(result) and not work.step.changes_config:
            result = stage.execute(work, session.reopen, self._options(session), session.running)
        elif _lost(result):
            note = "; not re-sent: configuration may have been applied"
            result = replace(result, error=f"{result.error}{note}")
        return result

    def _options(self, session: Session) -> stage.Options:
        try:
            budget = session.remaining()
        except CommandTimeout:
            budget = 0.001
        if budget is None:
            return self.options
        timeout = min(self.options.command_timeout or budget, budget)
        return replace(self.options, command_timeout=timeout)

    def _absorb(self, step: Step, results: Sequence[StepResult], hosts: Sequence[Host]) -> None:
        """Register results and facts, mark failed hosts (main thread only)."""
        for result in results:
            receivers = [h.name for h in hosts] if step.run_once else [result.host]
            for name in receivers:
                self._register(step, name, result)
            if result.stops_host:
                self._down.add(result.host)

    def _register(self, step: Step, name: str, result: StepResult) -> None:
        self._registered[name].update(result.facts)
        if step.register:
            self._registered[name][step.register] = result.to_vars()

    # -- pipeline ---------------------------------------------------------------------

    def _pipeline(
        self, runner: Runner, play: Play, chosen: Sequence[Step], hosts: Sequence[Host]
    ) -> None:
        """Each host runs all its steps back to back; records are assembled afterwards.

        Each worker appends to its own host's list as steps finish, so an interrupted run
        still keeps every step that completed.
        """
        per_host: dict[str, list[tuple[int, StepResult]]] = {h.name: [] for h in hosts}
        try:
            runner.map(lambda h: self._host_steps(play, chosen, h, per_host[h.name]), hosts)
        finally:
            for i, step in enumerate(chosen):
                done = [r for h in hosts for j, r in list(per_host[h.name]) if j == i]
                self._finish(play, step, StepRecord(play.name, step.name, tuple(done)))

    def _host_steps(
        self, play: Play, chosen: Sequence[Step], host: Host, done: list[tuple[int, StepResult]]
    ) -> None:
        """One host's whole play (worker thread; touches only this host's state)."""
        for i, step in enumerate(chosen):
            if step.hosts and host not in self.inventory.select(step.hosts):
                continue
            variables = self.variables(host, play, step)
            outcome = stage.prepare(step, host, variables)
            if isinstance(outcome, stage.Work):
                outcome = self._execute(outcome)
            if outcome.status is not Status.SKIPPED:
                outcome = stage.conclude(step, outcome, variables)
            self._journal.write(play.name, _shown(step, outcome))
            self._register(step, host.name, outcome)
            done.append((i, outcome))
            if outcome.stops_host:
                self._down.add(host.name)
                return

    # -- variables --------------------------------------------------------------------

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
            "check_mode": self.settings.check,
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


_Done = TypeVar("_Done", StepResult, StepRecord)


def _shown(step: Step, done: _Done) -> _Done:
    """What may be shown and saved of a step: all of it, or only its statuses (`no_log`).
    The registered variable always holds the real result."""
    return done.redacted() if step.no_log else done


def _lost(result: StepResult) -> bool:
    return result.kind == SessionLost.kind


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
