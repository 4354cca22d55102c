"""Runs a plan: plays in order, steps in order, each step fanned out over its hosts.

Two strategies:
  lockstep — a step starts when the previous one has finished on every host, so any step
             can read any host's earlier results (`hostvars`). Needed for cross-host plays.
  pipeline — each host runs its steps back to back without waiting for the slowest host.
             Chosen automatically unless a step reads `hostvars`, is `run_once` or has
             `save_to` (see engine.plan).

In lockstep, only the main thread renders templates and updates shared state; workers
only talk to devices. In pipeline, each worker owns exactly one host's state.

A play with `serial` runs whole on one batch of hosts, then on the next (engine.rollout);
`max_fail_percentage` and `any_errors_fatal` stop the rollout (the `Halt` flag): steps
under way finish, nothing new starts, and what was left gets `skipped` results saying why.
A host that fails after a `rollback_on_failure` change gets its running-config back
(engine.rollback) before its result is kept.

Stopping (Ctrl-C, SIGTERM: the `Stop` flag): no step, command or connection starts once
it is set; commands in flight get the runner's grace period; then sessions are closed.
Every result is kept in one place with the journal (`Collected`), so the results always
hold what the journal holds, however the run ends.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from engine import steps as stage
from engine.collected import Collected, Key
from engine.drivers import ConnectionSettings, DriverFactory, netmiko_factory
from engine.errors import FailureKind
from engine.inventory import Host
from engine.model import Play, Step
from engine.options import ExecutorSpec
from engine.plan import Plan
from engine.results import Journal, RolloutStop, RunResult, Status, StepRecord, StepResult
from engine.rollback import archive_name
from engine.rollout import Batch, Rollouts
from engine.rollout import NotRun as NotRun  # where the command line has always found it
from engine.runner import GRACE_SECONDS, RateLimiter, Runner, Stop
from engine.scope import Scope
from engine.secrets import Mask
from engine.sessions import Sessions
from engine.templating import TemplateError

if TYPE_CHECKING:
    from engine.workers import Workers


@dataclass(frozen=True)
class RunSettings:
    """Everything about a run that does not come from the plan."""

    forks: int = 20
    extra_vars: Mapping[str, Any] = field(default_factory=dict)
    connection: ConnectionSettings = field(default_factory=ConnectionSettings)
    check: bool = False
    diff: bool = False
    output_dir: Path = Path()
    host_timeout: float | None = None
    connect_rate: float | None = None
    journal: Path | None = None
    grace: float = GRACE_SECONDS  # after Ctrl-C, for the commands in flight
    # where device work runs (engine.workers)
    executor: ExecutorSpec = field(default_factory=lambda: ExecutorSpec("threads"))


class Events(Protocol):
    """What the executor tells its reporter: from the main thread, except `host_finished`,
    which a pipeline's worker threads call too (a reporter must be safe to call from any
    thread there). A `no_log` step's results arrive redacted."""

    def play_started(self, play: Play, hosts: Sequence[Host], strategy: str) -> None: ...

    def batch_started(self, play: Play, batch: Batch) -> None: ...

    def step_started(self, play: Play, step: Step, hosts: Sequence[str]) -> None: ...

    def host_finished(self, play: Play, step: Step, result: StepResult) -> None: ...

    def step_finished(self, play: Play, step: Step, record: StepRecord) -> None: ...

    def rollout_stopped(self, stop: RolloutStop, hosts: Sequence[str]) -> None: ...


class _Silent:
    """Tells nobody."""

    def play_started(self, play: Play, hosts: Sequence[Host], strategy: str) -> None: ...

    def batch_started(self, play: Play, batch: Batch) -> None: ...

    def step_started(self, play: Play, step: Step, hosts: Sequence[str]) -> None: ...

    def host_finished(self, play: Play, step: Step, result: StepResult) -> None: ...

    def step_finished(self, play: Play, step: Step, record: StepRecord) -> None: ...

    def rollout_stopped(self, stop: RolloutStop, hosts: Sequence[str]) -> None: ...


class Executor:
    """One run of one plan."""

    def __init__(
        self,
        plan: Plan,
        settings: RunSettings,
        *,
        driver_factory: DriverFactory = netmiko_factory,
        events: Events | None = None,
        mask: Mask | None = None,
        stop: Stop | None = None,
    ) -> None:
        self.plan = plan
        self.inventory = plan.inventory
        self.settings = settings
        self.events: Events = events or _Silent()
        self.mask = mask or Mask(plan.inventory.secrets())
        self.stop = stop or Stop()
        document = plan.playbook.document
        self.scope = Scope(plan.inventory, settings.extra_vars, settings.check, document)
        self.options = stage.Options(
            check=settings.check,
            diff=settings.diff,
            command_timeout=settings.connection.command_timeout,
            interrupted=self.stop.wait,
        )
        limiter = RateLimiter(settings.connect_rate, stop=self.stop)
        self._sessions = Sessions(
            plan.hosts, driver_factory, settings.connection, limiter, self.stop
        )
        self._factory = driver_factory
        self._remote: Workers | None = None  # device work on worker processes
        self._down: set[str] = set()
        self._rollouts = Rollouts(plan)
        self._restoring: dict[str, tuple[Key, StepResult]] = {}  # lockstep: to roll back
        self._collected = Collected(Journal(settings.journal, self.mask), plan.inventory)
        self._modes: dict[str, str] = {}
        # each host's last play: after it, the host's session is closed
        self._last_play = {h.name: p for p, play in enumerate(plan.plays) for h in play.hosts}
        self._waiting: dict[str, float] = {}
        self._started = time.time()
        self._clock = time.monotonic()
        self._elapsed: float | None = None
        self.interrupted = False

    def run(self) -> RunResult:
        """Run every play; always closes the sessions it opened and keeps what ran.

        The first Ctrl-C or SIGTERM (see `Stop`) ends the run early: what completed is
        returned, with `interrupted` set. A second one leaves at once."""
        self.stop.armed = True
        self._started, self._clock = time.time(), time.monotonic()
        runner = Runner(self.settings.forks, stop=self.stop, grace=self.settings.grace)
        # Loaded now, once: the sessions' threads would all wait on the import lock while
        # the first of them loads netmiko (and worker processes inherit it).
        import engine.drivers.netmiko  # noqa: F401

        finished = False
        try:
            self._remote = self._connect()
            for p in range(len(self.plan.plays)):
                if self.stop.is_set() or self._rollouts.halt.is_set():
                    break
                self._run_play(runner, p)
            finished = True
        except KeyboardInterrupt:  # a second Ctrl-C: no grace, no polite goodbyes
            self.stop.set()
        finally:
            self._collected.seal()
            self.interrupted = self.stop.is_set()
            self._disconnect(wait=finished)
            self._sessions.close(wait=finished)
            runner.close(wait=finished and not self.interrupted)
            self._collected.close()
            self._elapsed = time.monotonic() - self._clock
        return self.result()

    def _connect(self) -> Workers | None:
        """Worker processes for the device work, when the settings ask for them."""
        spec = self.settings.executor
        if spec.kind not in ("processes", "dask", "dask-local"):
            return None
        from engine.workers import Processes, WorkerSettings

        settings = self.settings
        worker = WorkerSettings(
            connection=settings.connection,
            forks=settings.forks,
            connect_rate=settings.connect_rate,
            host_timeout=settings.host_timeout,
            check=settings.check,
            diff=settings.diff,
        )
        if spec.kind == "processes":
            remote: Workers = Processes(spec.workers, self.stop)
        else:
            from engine.cluster import connect

            remote = connect(spec, self.stop)
        try:
            remote.start(self.plan.hosts, self._factory, worker)
        except BaseException:
            remote.close(wait=False)
            raise
        return remote

    def _disconnect(self, *, wait: bool) -> None:
        """The workers' connect and enable timings kept, their sessions closed."""
        remote, self._remote = self._remote, None
        if remote is None:
            return
        if wait:
            for name, opened in remote.timings().items():
                self._sessions[name].timings.update(opened)
        remote.close(wait=wait)

    def result(self) -> RunResult:
        """What the run has collected so far (all of it once `run` has returned)."""
        elapsed = self._elapsed if self._elapsed is not None else time.monotonic() - self._clock
        return RunResult(
            playbook=self.plan.playbook.file,
            inventory=self.inventory.file,
            hosts=tuple(h.name for h in self.plan.hosts),
            steps=self._collected.records(),
            started=self._started,
            elapsed=elapsed,
            interrupted=self.interrupted if self._elapsed is not None else self.stop.is_set(),
            mode=dict(self._modes),
            timings=self.timings(),
            batches=tuple(self._rollouts.records),
            stopped=self._rollouts.halt.stop,
        )

    def not_run(self) -> list[NotRun]:
        """Steps, with their hosts, that a stopped run did not start (failed hosts aside)."""
        return self._rollouts.not_run(self._down, self._collected.hosts)

    # -- plays ------------------------------------------------------------------------

    def _run_play(self, runner: Runner, p: int) -> None:
        play = self.plan.plays[p]
        self._modes[play.play.name] = play.strategy
        self.events.play_started(play.play, play.hosts, play.strategy)
        guarded = not self.settings.check  # check mode changes nothing: nothing to undo
        self._sessions.arm(play.play, play.hosts, archive_name(self._started), guarded=guarded)
        for batch in self._rollouts.start(p, self._down):
            if self.stop.is_set():
                return
            if play.play.rollout.serial:
                self.events.batch_started(play.play, batch)
            self._run_batch(runner, p, batch)
            judge = not self.stop.is_set()
            self._rollouts.batch_done(play.play, batch, self._down, judge=judge)
            if self._rollouts.halt.is_set() and not self.stop.is_set():
                self._skip_the_rest(p, batch)
                return
            if play.strategy == "lockstep" and not self.stop.is_set():
                for host in batch.hosts:
                    if self._last_play[host.name] == p:
                        self._release(host.name)

    def _release(self, name: str) -> None:
        """A host the run has nothing more for: its session closes now rather than at the
        end of the run. The device gets its line back, and an open session costs a
        thread that wakes ten times a second (paramiko's), which with thousands of
        hosts adds up."""
        if self._remote is not None:
            self._remote.release(name)
        else:
            self._sessions[name].close()

    def _run_batch(self, runner: Runner, p: int, batch: Batch) -> None:
        play = self.plan.plays[p]
        if play.strategy == "pipeline":
            self._pipeline(runner, p, batch)
            return
        for index in range(len(play.steps)):
            if self.stop.is_set() or self._rollouts.halt.is_set():
                return
            record = self._finish((p, index), self._lockstep(runner, (p, index), batch), batch)
            self._rollouts.step_done(play.play, batch, record.results)

    def _skip_the_rest(self, p: int, batch: Batch) -> None:
        """A stopped rollout: each step it leaves unstarted is `skipped`, with the reason."""
        skipped = set()
        done = self._collected.hosts
        for key, result in self._rollouts.skip_the_rest(p, batch, self._down, done):
            self._open(key)
            self._add(key, result, told=False)
            skipped.add(result.host)
        stop = self._rollouts.halt.stop
        assert stop is not None
        self.events.rollout_stopped(stop, [h.name for h in self.plan.hosts if h.name in skipped])

    def _open(self, key: Key) -> None:
        """A step starts: it has a record from now on."""
        play = self.plan.plays[key[0]]
        step = play.steps[key[1]]
        self._collected.open(key, play.play.name, step.name, hidden=bool(step.no_log))

    def _add(self, key: Key, result: StepResult, *, told: bool = True) -> None:
        """Keep a result (main thread; a second Ctrl-C cannot cut it in half)."""
        result = self._stamped(result)
        with self.stop.shielded():
            if self._collected.add(key, result) and told:
                self._tell(key, result)

    def _stamped(self, result: StepResult) -> StepResult:
        """A result that never reached a device (skipped, `set`, a template failure)
        started when it ended."""
        if result.started is not None:
            return result
        offset = max(0.0, time.monotonic() - self._clock - result.elapsed)
        return replace(result, started=offset)

    def _tell(self, key: Key, result: StepResult) -> None:
        """The reporter hears of a host's result as soon as it is kept."""
        play = self.plan.plays[key[0]]
        step = play.steps[key[1]]
        self.events.host_finished(play.play, step, result.redacted() if step.no_log else result)

    def _finish(self, key: Key, record: StepRecord, batch: Batch) -> StepRecord:
        """A step is done on the batch: its outputs saved, its results shown; the batch's
        share of its record, as saved."""
        play = self.plan.plays[key[0]]
        step = play.steps[key[1]]
        if step.save_to:
            from engine.saving import save_outputs

            def variables(name: str) -> Mapping[str, Any]:
                return self.scope.variables(self.inventory.host(name), play.play, step)

            out_dir = self.settings.output_dir
            record = save_outputs(step, record, variables, out_dir, self.mask)
            self._collected.update(key, record)
            self._down |= {r.host for r in record.results if r.stops_host}
        record = replace(record, results=tuple(r for r in record.results if r.host in batch.names))
        if record.results or not self.stop.is_set():  # a step the stop left untouched
            shown = record.redacted() if step.no_log else record
            self.events.step_finished(play.play, step, shown)
        return record

    def _prepare(
        self, host: Host, play: Play, step: Step
    ) -> tuple[stage.Work | StepResult, dict[str, Any] | None]:
        """A step rendered for a host, with the variables it saw: the work to send, or its
        result already (skipped, `set`, `assert`, a template failure — the play's and the
        step's `vars` included, so they fail this host only)."""
        try:
            variables = self.scope.variables(host, play, step)
        except TemplateError as exc:
            return stage.failure(host, step, str(exc), kind=FailureKind.TEMPLATE), None
        return stage.prepare(step, host, variables), variables

    # -- lockstep ---------------------------------------------------------------------

    def _lockstep(self, runner: Runner, key: Key, batch: Batch) -> StepRecord:
        play = self.plan.plays[key[0]]
        step = play.steps[key[1]]
        self._open(key)
        hosts = [h for h in play.step_hosts[key[1]] if h.name in batch.names - self._down]
        targets = hosts[:1] if step.run_once else hosts
        self.events.step_started(play.play, step, [h.name for h in targets])
        work: dict[str, stage.Work] = {}
        for host in targets:
            if self.stop.is_set():
                break
            outcome, variables = self._prepare(host, play.play, step)
            if isinstance(outcome, StepResult):
                self._keep(key, step, outcome, variables)
            else:
                work[host.name] = outcome

        def done(result: StepResult | None) -> None:
            if result is not None:
                self._keep(key, step, result, work[result.host].variables)

        started = time.monotonic()
        try:
            runner.map(lambda one: self._execute(one, key), list(work.values()), on_done=done)
            self._restore_failed(runner)
        finally:
            self._keep_unrestored()
            self._cut_short()
            record = self._collected.record(key)
            self._count_waiting(time.monotonic() - started, record.results)
            self._absorb(step, record.results, hosts)
        return record

    def _keep(
        self, key: Key, step: Step, result: StepResult, variables: Mapping[str, Any] | None
    ) -> None:
        """Conclude a host's result and keep it — once its archived running-config is
        back, if it needs to be (see `_restore_failed`)."""
        result = stage.conclude(step, result, variables)
        if self._sessions[result.host].needs_rollback(result):
            self._restoring[result.host] = (key, result)
        else:
            self._add(key, result)

    def _restore_failed(self, runner: Runner) -> None:
        """The step's hosts that failed after a guarded change get their running-config
        back, in parallel; those the run stopped first are kept as they are, and say so."""
        pending = [result for _, result in self._restoring.values()]
        for result in self._sessions.roll_back(runner, pending, self.options.command_timeout):
            self._add(self._restoring.pop(result.host)[0], result)

    def _keep_unrestored(self) -> None:
        """Results still waiting for their rollback when a second Ctrl-C cut it short."""
        while self._restoring:
            key, result = self._restoring.pop(next(iter(self._restoring)))
            self._add(key, self._sessions[result.host].not_rolled_back(result))

    def _count_waiting(self, wall: float, results: Iterable[StepResult]) -> None:
        """Lockstep's price: how long each host sat at the barrier for the slowest one."""
        for result in results:
            if result.status is not Status.SKIPPED:
                waited = max(0.0, wall - result.elapsed)
                self._waiting[result.host] = self._waiting.get(result.host, 0.0) + waited

    def timings(self) -> dict[str, dict[str, float]]:
        """Where each host's time went: connect, enable, commands, waiting at barriers."""
        busy: dict[str, float] = {}
        for record in self._collected.records():
            for result in record.results:
                busy[result.host] = busy.get(result.host, 0.0) + result.elapsed
        return self._sessions.timings(busy, self._waiting)

    def _execute(self, work: stage.Work, key: Key) -> StepResult | None:
        """A worker's job: run one host's share of a step, here or on a worker process.
        None when the run stopped before anything was sent."""
        started = time.monotonic() - self._clock
        if self._remote is not None:
            result = self._remote.execute(work, key)
        else:
            session = self._sessions[work.host.name]
            result = session.execute(work, key, self.options, self.settings.host_timeout)
        return None if result is None else replace(result, started=started)

    def _cut_short(self) -> None:
        """Steps the run's stop cut short after they had sent something: kept as failed,
        `interrupted`, never reported as not run (main thread)."""
        if not self.stop.is_set():
            return
        remote = self._remote.cut_short() if self._remote is not None else []
        with self.stop.shielded():
            for key, result in [*self._sessions.cut_short(), *remote]:
                if self._collected.settle(key, result):
                    self._down.add(result.host)

    def _absorb(self, step: Step, results: Sequence[StepResult], hosts: Sequence[Host]) -> None:
        """Register results and facts, mark failed hosts (main thread only)."""
        for result in results:
            receivers = [h.name for h in hosts] if step.run_once else [result.host]
            for name in receivers:
                self.scope.register(step, name, result)
            if result.stops_host:
                self._down.add(result.host)

    # -- pipeline ---------------------------------------------------------------------

    def _pipeline(self, runner: Runner, p: int, batch: Batch) -> None:
        """Each host of the batch runs all its steps back to back; records are read
        afterwards."""
        play = self.plan.plays[p]
        hosts = [h for h in batch.hosts if h.name not in self._down]
        for index, step in enumerate(play.steps):
            self._open((p, index))
            names = [h.name for h in hosts if play.runs_on(index, h.name)]
            self.events.step_started(play.play, step, names)
        try:
            runner.map(lambda host: self._host_play(p, host, batch), hosts)
        finally:
            self._cut_short()
            for index in range(len(play.steps)):
                self._finish((p, index), self._collected.record((p, index)), batch)

    def _host_play(self, p: int, host: Host, batch: Batch) -> None:
        """One host's whole play, then its session closed if no later play has it."""
        self._host_steps(p, host, batch)
        if self._last_play[host.name] == p and not self.stop.is_set():
            self._release(host.name)

    def _host_steps(self, p: int, host: Host, batch: Batch) -> None:
        """One host's whole play (worker thread; touches only this host's state)."""
        play = self.plan.plays[p]
        for index, step in enumerate(play.steps):
            if self.stop.is_set() or self._rollouts.halt.is_set():
                return
            if not play.runs_on(index, host.name):
                continue
            outcome, variables = self._prepare(host, play.play, step)
            if isinstance(outcome, stage.Work):
                executed = self._execute(outcome, (p, index))
                if executed is None:
                    return
                outcome = executed
            outcome = stage.conclude(step, outcome, variables)
            session = self._sessions[host.name]
            outcome = self._stamped(session.rolled_back(outcome, self.options.command_timeout))
            if not self._collected.add((p, index), outcome):
                return  # abandoned after the grace period: the run's results are final
            self._tell((p, index), outcome)
            self.scope.register(step, host.name, outcome)
            if outcome.stops_host:
                self._down.add(host.name)
                self._rollouts.step_done(play.play, batch, (outcome,))
                return
