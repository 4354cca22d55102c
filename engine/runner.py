"""The only thread pool in netplay: runs one function over many hosts, results in input order."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from types import TracebackType
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


# After the first Ctrl-C or SIGTERM, commands already sent get this long to finish.
GRACE_SECONDS = 3.0
# How often a waiting main thread looks at the stop flag.
POLL_SECONDS = 0.1


class Stop:
    """The run's stop flag, set by the first Ctrl-C or SIGTERM while a run is `armed`.

    Once set, no worker starts anything new (a step, a command, a connection) and
    commands in flight get the grace period. A request while the flag is already set, or
    before any run started, raises KeyboardInterrupt instead: leave at once.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self.armed = False
        self._shields = 0
        self._deferred = False

    def request(self) -> None:
        """What a signal handler calls (on the main thread)."""
        if self.armed and not self._event.is_set():
            self._event.set()
        elif self._shields:
            self._deferred = True
        else:
            raise KeyboardInterrupt

    @contextmanager
    def shielded(self) -> Iterator[None]:
        """A block on the main thread that leaving at once must not cut in half (keeping
        a result, writing the results file): the KeyboardInterrupt waits for its end."""
        self._shields += 1
        try:
            yield
        finally:
            self._shields -= 1
            if not self._shields and self._deferred:
                self._deferred = False
                raise KeyboardInterrupt

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking early (and returning True) when the run stops."""
        return self._event.wait(seconds)


class _NotStarted:
    """What a worker returns for an item it picked up after the stop: it did not run."""


class Runner:
    """A bounded pool of worker threads (`forks`) kept for the whole run.

    Workers must not raise: per-host failures are returned as data. Callbacks run on the
    calling (main) thread, so they may update shared state without locks.
    """

    def __init__(self, forks: int, *, stop: Stop | None = None, grace: float = GRACE_SECONDS):
        if forks < 1:
            raise ValueError("forks must be at least 1")
        self.forks = forks
        self.stop = stop or Stop()
        self.grace = grace
        self._pool = ThreadPoolExecutor(max_workers=forks, thread_name_prefix="netplay")

    def map(
        self,
        work: Callable[[T], R],
        items: Sequence[T],
        on_done: Callable[[R], None] | None = None,
    ) -> list[R | None]:
        """Run `work` on every item; return the results in the order of `items`.

        When the stop flag is set, items not started never start, and those in flight get
        `grace` seconds to finish (their results still reach `on_done`); the slots of
        items that did not finish are None. A KeyboardInterrupt leaves at once.
        """
        futures = [self._pool.submit(self._start, work, item) for item in items]
        index: dict[Future[R | _NotStarted], int] = {f: i for i, f in enumerate(futures)}
        results: list[R | None] = [None] * len(futures)
        pending = set(futures)
        try:
            while pending and not self.stop.is_set():
                done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                self._collect(done, index, results, on_done)
            if pending:
                self._wind_down(pending, index, results, on_done)
        except KeyboardInterrupt:
            for future in pending:
                future.cancel()
            raise
        return results

    def _start(self, work: Callable[[T], R], item: T) -> R | _NotStarted:
        return _NotStarted() if self.stop.is_set() else work(item)

    def _wind_down(
        self,
        pending: set[Future[R | _NotStarted]],
        index: dict[Future[R | _NotStarted], int],
        results: list[R | None],
        on_done: Callable[[R], None] | None,
    ) -> None:
        """Stopping: cancel what has not started, give what runs the grace period."""
        running = {f for f in pending if not f.cancel()}
        deadline = time.monotonic() + self.grace
        while running and (left := deadline - time.monotonic()) > 0:
            timeout = min(left, POLL_SECONDS)
            done, running = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
            self._collect(done, index, results, on_done)

    @staticmethod
    def _collect(
        done: set[Future[R | _NotStarted]],
        index: dict[Future[R | _NotStarted], int],
        results: list[R | None],
        on_done: Callable[[R], None] | None,
    ) -> None:
        for future in sorted(done, key=index.__getitem__):
            value = future.result()
            if isinstance(value, _NotStarted):
                continue
            results[index[future]] = value
            if on_done is not None:
                on_done(value)

    def close(self, *, wait: bool = True) -> None:
        """Stop the pool; with wait=False, abandoned workers finish in the background."""
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class RateLimiter:
    """Spaces out connection starts: at most `rate` a second, with jitter so that many
    workers released at once do not knock on the AAA server in lockstep."""

    def __init__(self, rate: float | None, *, seed: int = 0, stop: Stop | None = None) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._stop = stop or Stop()

    def wait(self) -> None:
        """Until this connection's slot comes, or the run stops."""
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self._interval * self._random.uniform(0.75, 1.25)
        if slot > now:
            self._stop.wait(slot - now)
