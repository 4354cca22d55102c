"""Device work on Dask workers: every core of this machine (`dask-local:N`, a LocalCluster
of N worker processes), or every machine of a Dask cluster (`dask://HOST:PORT`).

The controller keeps everything else: rendering, registered results, `hostvars`, the
journal and the reporter. Each worker holds one `HostsActor` with the SSH sessions of its
share of the hosts (kept open across steps and plays) and a thread pool of its own; the
controller sends it one host's rendered `Work` at a time and gets the `StepResult` back,
straight from the worker (actor calls do not pass through the scheduler). Hosts are
partitioned by `jump_host`, `site` or `region` when their vars have one, so that devices
behind the same bastion or in the same region are reached from the same worker.

A worker that dies costs its hosts, never the run: their steps come back `unreachable`,
naming the worker. Ctrl-C reaches every worker as it reaches the local thread pool: no
new command once the run stops, commands in flight get the grace period.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from engine.drivers import ConnectionSettings, DriverFactory
from engine.errors import ExitCode, FailureKind, NetplayError, UsageError
from engine.flight import Key
from engine.inventory import Host
from engine.options import ExecutorSpec
from engine.plan import Plan
from engine.results import Status, StepResult
from engine.runner import RateLimiter, Stop
from engine.sessions import Sessions
from engine.steps import Options, Work

# Host vars that say where a device is reached from, most specific first.
PLACE_VARS = ("jump_host", "site", "region")
# `auto` starts worker processes, one a core, from this many hosts on this many cores.
# Two cost 1-2 CPU-seconds more than threads, and 3-16 ms more per host and step; on 2
# cores, with the lab sharing them, threads won at every N measured (README "Executors").
PROCESSES_FROM = 500
MIN_CORES = 4
# Seconds to wait for a scheduler, its workers, and a worker's answer outside a step.
CONNECT_SECONDS = 15.0
ANSWER_SECONDS = 5.0
WATCH_SECONDS = 0.1  # how often the controller looks whether the run stopped
# A forked worker starts with netplay, netmiko and Dask already imported: about 0.6 s for
# two workers instead of 3.6 s spawned (each re-importing them). Forking happens before
# any session is opened.
_START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


class ClusterError(NetplayError):
    """The Dask scheduler or its workers cannot be used."""

    exit_code = ExitCode.ERROR


@dataclass(frozen=True)
class Choice:
    """The executor a run uses, and why (shown beside the play's strategy)."""

    spec: ExecutorSpec
    why: str


def choose(spec: ExecutorSpec, plan: Plan, cores: int) -> Choice:
    """`--executor` as asked, or for `auto`: worker processes, one a core, when there are
    enough hosts and cores for them to pay off; threads otherwise."""
    guarded = any(s.rollback_on_failure for p in plan.plays for s in p.play.steps)
    if spec.kind in ("dask", "dask-local") and guarded:
        raise UsageError(f"--executor {spec}: rollback_on_failure runs on threads only")
    if spec.kind != "auto":
        return Choice(spec, "--executor")
    hosts = len(plan.hosts)
    if guarded:
        return Choice(ExecutorSpec("threads"), "rollback_on_failure")
    if cores < MIN_CORES or hosts < PROCESSES_FROM:
        return Choice(ExecutorSpec("threads"), f"{hosts} hosts, {cores} cores")
    return Choice(ExecutorSpec("dask-local", workers=cores), f"{hosts} hosts, {cores} cores")


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


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs to talk to its devices as the controller would."""

    connection: ConnectionSettings
    forks: int
    connect_rate: float | None
    host_timeout: float | None
    check: bool = False
    diff: bool = False


class HostsActor:
    """One worker's hosts: their sessions, open across steps, and the threads that talk
    to them (lives on the worker; its async methods run on the worker's event loop)."""

    def __init__(self, hosts: Sequence[Host], factory: DriverFactory, settings: WorkerSettings):
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
        self._pool = ThreadPoolExecutor(settings.forks, thread_name_prefix="netplay")

    async def execute(self, work: Work, key: Key) -> StepResult | None:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._execute, work, key)

    def _execute(self, work: Work, key: Key) -> StepResult | None:
        session = self._sessions[work.host.name]
        return session.execute(work, key, self._options, self._host_timeout)

    async def stop(self) -> None:
        self._stop.set()

    async def cut_short(self) -> list[tuple[Key, StepResult]]:
        return list(self._sessions.cut_short())

    async def timings(self) -> dict[str, dict[str, float]]:
        return {name: dict(self._sessions[name].timings) for name in self._names}

    async def close(self, wait: bool) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, partial(self._sessions.close, wait=wait))
        self._pool.shutdown(wait=False, cancel_futures=True)


class Remote:
    """The controller's side: which worker holds which host, and the calls to them."""

    def __init__(self, client: Any, cluster: Any, stop: Stop) -> None:
        self._client = client
        self._cluster = cluster  # a LocalCluster this run started, or None
        self._stop = stop
        self._actors: dict[str, Any] = {}
        self._placement: dict[str, str] = {}
        self._lost: dict[str, str] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True, name="netplay-stop")

    def start(
        self, hosts: Sequence[Host], factory: DriverFactory, settings: WorkerSettings
    ) -> None:
        """Place the hosts on the workers and give each worker its actor."""
        workers = sorted(self._client.scheduler_info()["workers"])
        self._placement = partition(hosts, workers)
        if settings.connect_rate:  # the run's rate, shared among the workers
            settings = replace(settings, connect_rate=settings.connect_rate / len(workers))
        futures = {
            worker: self._client.submit(
                HostsActor,
                [h for h in hosts if self._placement[h.name] == worker],
                factory,
                settings,
                actor=True,
                workers=[worker],
                allow_other_workers=False,
            )
            for worker in workers
        }
        try:
            self._actors = {w: f.result(timeout=CONNECT_SECONDS) for w, f in futures.items()}
        except TimeoutError as exc:
            raise ClusterError(f"the Dask workers did not start in {CONNECT_SECONDS:g} s") from exc
        except Exception as exc:  # e.g. a worker without netplay, or another version of it
            raise ClusterError(f"a Dask worker cannot run netplay's sessions: {exc!r}") from exc
        self._watcher.start()

    def workers(self) -> Mapping[str, str]:
        """Each host's worker address."""
        return dict(self._placement)

    def execute(self, work: Work, key: Key) -> StepResult | None:
        """Run one host's share of a step on its worker (a controller thread waits)."""
        if self._stop.is_set():
            return None
        worker = self._placement[work.host.name]
        lost = self._lost.get(worker)
        if lost is None:
            try:
                result: StepResult | None = self._actors[worker].execute(slim(work), key).result()
                return result
            except (OSError, RuntimeError) as exc:  # the worker, or the way to it, is gone
                lost = self._lose(worker, exc)
            except Exception as exc:  # a bug must cost one host, not the run
                bug, kind = f"internal error: {exc!r}", FailureKind.INTERNAL
                return StepResult(
                    work.host.name, work.step.name, Status.FAILED, error=bug, kind=kind
                )
        kind = FailureKind.UNREACHABLE
        return StepResult(work.host.name, work.step.name, Status.UNREACHABLE, error=lost, kind=kind)

    def _lose(self, worker: str, exc: BaseException) -> str:
        with self._lock:
            return self._lost.setdefault(worker, f"Dask worker {worker} was lost: {exc}")

    def _live(self) -> Iterator[Any]:
        return (actor for worker, actor in self._actors.items() if worker not in self._lost)

    def _ask(self, method: str, *args: Any) -> list[Any]:
        """Every live worker's answer (a worker that does not answer in time gives none)."""
        calls = [getattr(actor, method)(*args) for actor in self._live()]
        answers = []
        for call in calls:
            try:
                answers.append(call.result(timeout=ANSWER_SECONDS))
            except Exception:
                continue
        return answers

    def _watch(self) -> None:
        """Ctrl-C on the controller stops every worker."""
        while not self._stop.wait(WATCH_SECONDS):
            if self._closed.is_set():
                return
        self._ask("stop")

    def cut_short(self) -> list[tuple[Key, StepResult]]:
        """Steps the stop cut short on the workers after they had sent something."""
        return [cut for answer in self._ask("cut_short") for cut in answer]

    def timings(self) -> dict[str, dict[str, float]]:
        """Each host's connect and enable seconds, from its worker."""
        return {name: t for answer in self._ask("timings") for name, t in answer.items()}

    def close(self, *, wait: bool) -> None:
        """Close the workers' sessions, then the client (and the LocalCluster, if ours)."""
        self._closed.set()
        if wait:
            self._ask("close", wait)
        self._client.close(timeout=ANSWER_SECONDS)
        if self._cluster is not None:
            self._cluster.close(timeout=ANSWER_SECONDS)


def slim(work: Work) -> Work:
    """What travels to the worker: the variables only for `until`, which reads them
    there, and without `hostvars` (all the hosts' results)."""
    if not work.step.until:
        return replace(work, variables={})
    variables = {k: v for k, v in work.variables.items() if k != "hostvars"}
    return replace(work, variables=variables)


def connect(spec: ExecutorSpec, stop: Stop) -> Remote:
    """A client of the scheduler `spec` names, or of a LocalCluster started for the run
    (the default client of the process: the actors find it there)."""
    import dask
    from distributed import Client, LocalCluster

    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)  # failures reach the results
    if spec.kind == "dask-local":
        with dask.config.set({"distributed.worker.multiprocessing-method": _START_METHOD}):
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=spec.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                # Dask's HTTP endpoints (no dashboard without bokeh) on loopback, on a free
                # port: two runs at once must not meet on 8787
                dashboard_address="127.0.0.1:0",
                worker_dashboard_address="127.0.0.1:0",
                silence_logs=logging.CRITICAL,
            )
        client = Client(cluster, direct_to_workers=True)  # type: ignore[no-untyped-call]
        client.run(_ignore_interrupts)  # Ctrl-C reaches the whole process group
        return Remote(client, cluster, stop)
    try:
        address = f"tcp://{spec.address}"
        client = Client(address, timeout=CONNECT_SECONDS, direct_to_workers=True)  # type: ignore[no-untyped-call]
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"--executor {spec}: {exc}") from exc
    return Remote(client, None, stop)


def _ignore_interrupts() -> None:
    """A LocalCluster worker leaves Ctrl-C to the controller, which stops it politely."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
