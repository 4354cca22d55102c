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
import contextlib
import logging
import multiprocessing
import signal
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from engine.drivers import DriverFactory
from engine.errors import ExitCode, FailureKind, NetplayError
from engine.flight import Key
from engine.inventory import Host
from engine.options import ExecutorSpec
from engine.results import Status, StepResult
from engine.runner import Stop
from engine.steps import Work
from engine.workers import (
    WATCH_SECONDS,
    Gathering,
    Hosts,
    WorkerSettings,
    partition,
    shared,
    slim,
)

# Seconds to wait for a scheduler, its workers, and a worker's answer outside a step.
CONNECT_SECONDS = 15.0
ANSWER_SECONDS = 5.0
# A forked worker starts with netplay, netmiko and Dask already imported: about 0.6 s for
# two workers instead of 3.6 s spawned (each re-importing them). Forking happens before
# any session is opened.
_START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


class ClusterError(NetplayError):
    """The Dask scheduler or its workers cannot be used."""

    exit_code = ExitCode.ERROR


class HostsActor:
    """One Dask worker's hosts (engine.workers.Hosts) behind the actor's event loop: each
    call runs on the actor's own thread pool, so a slow device never blocks the loop."""

    def __init__(self, hosts: Sequence[Host], factory: DriverFactory, settings: WorkerSettings):
        self._hosts = Hosts(hosts, factory, settings)
        self._pool = ThreadPoolExecutor(settings.forks, thread_name_prefix="netplay")

    async def execute(self, work: Work, key: Key) -> StepResult | None:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._hosts.execute, work, key)

    async def stop(self) -> None:
        self._hosts.stop()

    async def release(self, name: str) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._pool, self._hosts.release, name)

    async def cut_short(self) -> list[tuple[Key, StepResult]]:
        return self._hosts.cut_short()

    async def timings(self) -> dict[str, dict[str, float]]:
        return self._hosts.timings()

    async def close(self, wait: bool) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, partial(self._hosts.close, wait))
        self._pool.shutdown(wait=False, cancel_futures=True)


class Remote(Gathering):
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
        settings = shared(settings, len(workers))
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

    def release(self, name: str) -> None:
        """Close one host's session on its worker."""
        worker = self._placement[name]
        if worker not in self._lost:
            with contextlib.suppress(Exception):  # a lost worker has no session to close
                self._actors[worker].release(name)  # nothing waits for it

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

    def close(self, *, wait: bool) -> None:
        """Close the workers' sessions, then the client (and the LocalCluster, if ours)."""
        self._closed.set()
        if wait:
            self._ask("close", wait)
        self._client.close(timeout=ANSWER_SECONDS)
        if self._cluster is not None:
            self._cluster.close(timeout=ANSWER_SECONDS)


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
