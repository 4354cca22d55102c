"""Device work on worker processes: what a worker holds, where each host goes, and the
worker processes of this machine (`processes:N`).

A worker holds the SSH sessions of its share of the hosts, open across steps and plays,
and a thread pool of its own; the controller keeps everything else (rendering, registered
results, `hostvars`, the journal, the reporter) and sends each host's rendered `Work` to
its worker, one step at a time. Several processes spread the SSH handshakes, ciphers and
netmiko's parsing over every core instead of one interpreter lock.

`processes:N` forks N workers from the run itself, after the plan is built and netmiko is
imported, and talks to each over a pipe: starting them costs milliseconds, not the
seconds of a Dask cluster (engine.cluster, for more machines than this one). A worker
that dies costs its hosts, never the run: their steps come back `unreachable`, naming it.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any, Protocol

from engine.drivers import ConnectionSettings, DriverFactory
from engine.errors import FailureKind, UsageError
from engine.flight import Key
from engine.inventory import Host
from engine.options import MAX_LOCAL_WORKERS, ExecutorSpec
from engine.plan import Plan
from engine.results import Status, StepResult
from engine.runner import RateLimiter, Stop
from engine.sessions import CLOSE_SECONDS, Sessions
from engine.steps import Options, Work

# Host vars that say where a device is reached from, most specific first.
PLACE_VARS = ("jump_host", "site", "region")
# `auto` forks one worker process a core from this many hosts (benchmarks/results/
# executors.md: on 2 cores, 2 processes beat threads from about N = 30 on).
PROCESSES_FROM = 30
WATCH_SECONDS = 0.1  # how often the controller looks whether the run stopped
ANSWER_SECONDS = 5.0  # how long a worker may take to answer outside a step


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs to talk to its devices as the controller would."""

    connection: ConnectionSettings
    forks: int
    connect_rate: float | None
    host_timeout: float | None
    check: bool = False
    diff: bool = False


class Workers(Protocol):
    """The controller's side of device work done elsewhere (processes, Dask)."""

    def start(
        self, hosts: Sequence[Host], factory: DriverFactory, settings: WorkerSettings
    ) -> None: ...

    def execute(self, work: Work, key: Key) -> StepResult | None: ...

    def release(self, name: str) -> None: ...

    def cut_short(self) -> list[tuple[Key, StepResult]]: ...

    def timings(self) -> dict[str, dict[str, float]]: ...

    def close(self, *, wait: bool) -> None: ...


@dataclass(frozen=True)
class Choice:
    """The executor a run uses, and why (shown beside the play's strategy)."""

    spec: ExecutorSpec
    why: str


def choose(spec: ExecutorSpec, plan: Plan, cores: int) -> Choice:
    """`--executor` as asked, or for `auto`: worker processes, one a core, when there are
    enough hosts and cores for them to pay off; threads otherwise."""
    guarded = any(s.rollback_on_failure for p in plan.plays for s in p.play.steps)
    if spec.kind != "threads" and spec.kind != "auto" and guarded:
        raise UsageError(f"--executor {spec}: rollback_on_failure runs on threads only")
    if spec.kind != "auto":
        return Choice(spec, "--executor")
    hosts = len(plan.hosts)
    if guarded:
        return Choice(ExecutorSpec("threads"), "rollback_on_failure")
    if cores < 2 or hosts < PROCESSES_FROM:
        return Choice(ExecutorSpec("threads"), f"{hosts} hosts, {cores} cores")
    workers = min(cores, MAX_LOCAL_WORKERS)
    return Choice(ExecutorSpec("processes", workers=workers), f"{hosts} hosts, {cores} cores")


def partition(hosts: Sequence[Host], workers: Sequence[str]) -> dict[str, str]:
    """Each host's worker: hosts that share a `jump_host`, `site` or `region` stay
    together (largest group first, onto the least loaded worker); the others are spread
    evenly."""
    groups: dict[str, list[str]] = {}
    loose: list[str] = []
    for host in hosts:
        place = next((f"{v}={host.vars[v]}" for v in PLACE_VARS if host.vars.get(v)), None)
        if place is None:
            loose.append(host.name)
        else:
            groups.setdefault(place, []).append(host.name)
    load = dict.fromkeys(workers, 0)
    placed: dict[str, str] = {}
    ordered = sorted(groups.values(), key=len, reverse=True)
    for names in [*ordered, *([name] for name in loose)]:
        worker = min(load, key=load.__getitem__)
        load[worker] += len(names)
        placed.update(dict.fromkeys(names, worker))
    return placed


def shared(settings: WorkerSettings, workers: int) -> WorkerSettings:
    """Each worker's settings: the run's connect rate is shared among the workers."""
    if not settings.connect_rate:
        return settings
    return replace(settings, connect_rate=settings.connect_rate / workers)


def slim(work: Work) -> Work:
    """What travels to a worker: the variables only for `until`, which reads them there,
    and without `hostvars` (all the hosts' results)."""
    if not work.step.until:
        return replace(work, variables={})
    variables = {k: v for k, v in work.variables.items() if k != "hostvars"}
    return replace(work, variables=variables)


def failed(work: Work, error: str, kind: FailureKind) -> StepResult:
    """A host's step that its worker could not run."""
    status = Status.UNREACHABLE if kind == FailureKind.UNREACHABLE else Status.FAILED
    return StepResult(work.host.name, work.step.name, status, error=error, kind=kind)


class Hosts:
    """One worker's hosts: their sessions, open across steps, and the stop that reaches
    them (the same on a forked process and on a Dask worker)."""

    def __init__(
        self, hosts: Sequence[Host], factory: DriverFactory, settings: WorkerSettings
    ) -> None:
        self._stop = Stop()
        limiter = RateLimiter(settings.connect_rate, stop=self._stop)
        self._names = [h.name for h in hosts]
        self._sessions = Sessions(hosts, factory, settings.connection, limiter, self._stop)
        self._options = Options(
            check=settings.check,
            diff=settings.diff,
            command_timeout=settings.connection.command_timeout,
            interrupted=self._stop.wait,
        )
        self._host_timeout = settings.host_timeout

    def execute(self, work: Work, key: Key) -> StepResult | None:
        session = self._sessions[work.host.name]
        try:
            return session.execute(work, key, self._options, self._host_timeout)
        except Exception as exc:  # a bug must cost one host, not the worker
            return failed(work, f"internal error: {exc!r}", FailureKind.INTERNAL)

    def stop(self) -> None:
        self._stop.set()

    def release(self, name: str) -> None:
        self._sessions[name].close()

    def cut_short(self) -> list[tuple[Key, StepResult]]:
        return list(self._sessions.cut_short())

    def timings(self) -> dict[str, dict[str, float]]:
        return {name: dict(self._sessions[name].timings) for name in self._names}

    def close(self, wait: bool) -> None:
        self._sessions.close(wait=wait)


# -- worker processes of this machine ---------------------------------------------------


class Gathering:
    """The questions every worker answers for its own hosts, the answers put together."""

    def _ask(self, method: str, *args: Any) -> list[Any]:
        """Every live worker's answer to `method` (one that does not answer gives none)."""
        raise NotImplementedError

    def cut_short(self) -> list[tuple[Key, StepResult]]:
        """Steps the stop cut short on the workers after they had sent something."""
        return [cut for answer in self._ask("cut_short") for cut in answer]

    def timings(self) -> dict[str, dict[str, float]]:
        """Each host's connect and enable seconds, from its worker."""
        return {name: t for answer in self._ask("timings") for name, t in answer.items()}


class Processes(Gathering):
    """`processes:N`: N forked workers, each reached through a pipe.

    Calls are numbered; one reader thread per worker hands each answer to the controller
    thread that waits for it. A worker whose pipe breaks is lost: the calls waiting on it,
    and every later step of its hosts, are answered `unreachable`.
    """

    def __init__(self, count: int, stop: Stop) -> None:
        self._count = count
        self._stop = stop
        self._placement: dict[str, str] = {}
        self._pipes: dict[str, Connection] = {}
        self._processes: dict[str, Any] = {}  # multiprocessing.Process, by worker name
        self._waiting: dict[int, tuple[str, Future[Any]]] = {}
        self._lost: dict[str, str] = {}
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def start(
        self, hosts: Sequence[Host], factory: DriverFactory, settings: WorkerSettings
    ) -> None:
        """Place the hosts, then fork one worker per share."""
        context = multiprocessing.get_context("fork")
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is copied into a worker
            stream.flush()
        names = [f"process {i + 1}" for i in range(min(self._count, len(hosts)) or 1)]
        self._placement = partition(hosts, names)
        settings = shared(settings, len(names))
        for name in names:
            mine = [h for h in hosts if self._placement[h.name] == name]
            ours, theirs = context.Pipe()
            process = context.Process(
                target=serve,
                args=(theirs, mine, factory, settings, [*self._pipes.values(), ours]),
                name=f"netplay {name}",
                daemon=True,  # ended at the controller's exit (and by its pipe's end if killed)
            )
            process.start()
            theirs.close()
            self._pipes[name], self._processes[name] = ours, process
        for name in names:
            reader = threading.Thread(target=self._read, args=(name,), daemon=True)
            reader.start()
        threading.Thread(target=self._watch, daemon=True, name="netplay-stop").start()

    def execute(self, work: Work, key: Key) -> StepResult | None:
        """Run one host's share of a step on its worker (a controller thread waits)."""
        if self._stop.is_set():
            return None
        worker = self._placement[work.host.name]
        answer = self._call(worker, "execute", slim(work), key)
        if isinstance(answer, _Lost):
            return failed(work, answer.reason, answer.kind)
        result: StepResult | None = answer
        return result

    def release(self, name: str) -> None:
        """Close one host's session on its worker (nothing waits for it)."""
        self._tell(self._placement[name], "release", name)

    def close(self, *, wait: bool) -> None:
        """Close the workers' sessions (politely when `wait`) and end the workers."""
        self._closed.set()
        lost = set(self._lost)
        self._ask("close", wait, timeout=ANSWER_SECONDS + CLOSE_SECONDS)
        deadline = time.monotonic() + (ANSWER_SECONDS if wait else 0.0)  # one for them all
        for name, process in self._processes.items():
            process.join(0 if name in lost else max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
            self._pipes[name].close()
        with self._lock:  # what a worker never answered, no one waits for any longer
            for name in self._processes:
                self._lose(name, "the run ended")

    def _call(self, worker: str, method: str, *args: Any, timeout: float | None = None) -> Any:
        """Send one call to `worker` and wait for its answer (or for the worker's loss;
        a worker that does not answer within `timeout` gives none)."""
        future: Future[Any] = Future()
        with self._lock:
            lost = self._lost.get(worker)
            if lost is None:
                number = next(self._numbers)
                self._waiting[number] = (worker, future)
                try:
                    self._pipes[worker].send((number, method, args))
                except (OSError, ValueError) as exc:  # the pipe is closed or broken
                    del self._waiting[number]
                    lost = self._lose(worker, f"cannot reach it: {exc}")
                except Exception as exc:  # a call that cannot travel: one host's bug
                    del self._waiting[number]
                    return _Lost(f"internal error: {exc!r}", FailureKind.INTERNAL)
        if lost is not None:
            return _Lost(lost)
        try:
            return future.result(timeout)
        except TimeoutError:
            return _Lost(f"worker {worker} did not answer in {timeout:g} s")

    def _tell(self, worker: str, method: str, *args: Any) -> None:
        """A call that has no answer (a lost worker misses nothing it could still do)."""
        with self._lock:
            if worker not in self._lost:
                with contextlib.suppress(OSError, ValueError):
                    self._pipes[worker].send((None, method, args))

    def _ask(self, method: str, *args: Any, timeout: float = ANSWER_SECONDS) -> list[Any]:
        """Every live worker's answer to `method`, asked in parallel."""
        live = [name for name in self._pipes if name not in self._lost]
        with ThreadPoolExecutor(len(live) or 1) as pool:
            answers = list(
                pool.map(lambda name: self._call(name, method, *args, timeout=timeout), live)
            )
        return [a for a in answers if not isinstance(a, _Lost)]

    def _read(self, worker: str) -> None:
        """Hand each answer of `worker` to its caller, until the pipe closes."""
        pipe = self._pipes[worker]
        while True:
            try:
                number, answer = pipe.recv()
            except (EOFError, OSError):
                break
            except Exception as exc:  # an answer that cannot be read: the worker is broken
                with self._lock:
                    self._lose(worker, f"its answer could not be read: {exc!r}")
                return
            with self._lock:
                waiting = self._waiting.pop(number, None)
            if waiting is not None:  # else its caller stopped waiting
                waiting[1].set_result(answer)
        why = "the run ended" if self._closed.is_set() else self._ending(worker)
        with self._lock:
            self._lose(worker, why)

    def _ending(self, worker: str) -> str:
        process = self._processes[worker]
        process.join(WATCH_SECONDS)
        code = process.exitcode
        if code is None:
            return "its pipe closed"
        return f"killed by signal {-code}" if code < 0 else f"exited with status {code}"

    def _lose(self, worker: str, why: str) -> str:
        """Mark `worker` lost and answer everything waiting on it (caller holds the lock)."""
        reason = self._lost.setdefault(worker, f"worker {worker} was lost: {why}")
        for number, (owner, future) in list(self._waiting.items()):
            if owner == worker:
                del self._waiting[number]
                future.set_result(_Lost(reason))
        return reason

    def _watch(self) -> None:
        """Ctrl-C or SIGTERM on the controller stops every worker."""
        while not self._stop.wait(WATCH_SECONDS):
            if self._closed.is_set():
                return
        for name in self._pipes:
            self._tell(name, "stop")


@dataclass(frozen=True)
class _Lost:
    """The answer of a worker that is gone, or could not send its answer."""

    reason: str
    kind: FailureKind = FailureKind.UNREACHABLE


def serve(
    pipe: Connection,
    hosts: Sequence[Host],
    factory: DriverFactory,
    settings: WorkerSettings,
    inherited: Sequence[Connection] = (),
) -> None:
    """A worker process: run the calls that come through `pipe` until it is told to close,
    or the controller is gone (its hosts' sessions are then closed at once). `inherited`:
    the controller's ends of the pipes, this one's included, which a worker must not hold
    open: the end of the controller would not be seen."""
    for other in inherited:
        other.close()
    # Ctrl-C reaches the whole process group: the controller stops the workers politely.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker says everything through its answers; the streams it was forked with may be
    # locked by the controller's console thread, and must not be flushed a second time.
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    worker = Hosts(hosts, factory, settings)
    # SIGTERM may reach the whole group too (`timeout`, a service manager): stop politely,
    # as the controller's stop would; the controller then closes the worker.
    signal.signal(signal.SIGTERM, lambda signum, frame: worker.stop())
    lock = threading.Lock()

    def answer(number: int, method: str, args: tuple[Any, ...]) -> None:
        value = getattr(worker, method)(*args)
        with lock:
            try:
                pipe.send((number, value))
            except (OSError, ValueError):  # the controller is gone
                return
            except Exception as exc:  # an answer that cannot travel: one host's bug
                pipe.send((number, _Lost(f"internal error: {exc!r}", FailureKind.INTERNAL)))

    pool = ThreadPoolExecutor(settings.forks, thread_name_prefix="netplay")
    while True:
        try:
            number, method, args = pipe.recv()
        except (EOFError, OSError):  # the controller is gone
            worker.stop()
            worker.close(False)
            break
        if method == "stop":
            worker.stop()
        elif method == "release":
            pool.submit(worker.release, *args)
        elif method == "execute":
            pool.submit(answer, number, method, args)
        else:
            answer(number, method, args)
            if method == "close":
                break
    pool.shutdown(wait=False, cancel_futures=True)
    # Leave now: a connection still being opened must not hold the process (multiprocessing
    # would wait for its thread), nor the run's files it inherited.
    os._exit(0)
