"""The only thread pool in netplay: runs one function over many hosts, results in input order."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from types import TracebackType
from typing import TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")


class Runner:
    """A bounded pool of worker threads (`forks`) kept for the whole run.

    Workers must not raise: per-host failures are returned as data. Callbacks run on the
    calling (main) thread, so they may update shared state without locks.
    """

    def __init__(self, forks: int, *, grace: float = 3.0) -> None:
        if forks < 1:
            raise ValueError("forks must be at least 1")
        self.forks = forks
        self.grace = grace
        self._pool = ThreadPoolExecutor(max_workers=forks, thread_name_prefix="netplay")

    def map(
        self,
        work: Callable[[T], R],
        items: Sequence[T],
        on_done: Callable[[R], None] | None = None,
    ) -> list[R]:
        """Run `work` on every item; return the results in the order of `items`.

        On KeyboardInterrupt, items not started are cancelled and those in flight get
        `grace` seconds to finish (their results still reach `on_done`) before it re-raises.
        """
        futures = [self._pool.submit(work, item) for item in items]
        index: dict[Future[R], int] = {f: i for i, f in enumerate(futures)}
        results: list[R | None] = [None] * len(futures)
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                self._collect(done, index, results, on_done)
        except KeyboardInterrupt:
            for future in pending:
                future.cancel()
            done, _ = wait(pending, timeout=self.grace)
            self._collect({f for f in done if not f.cancelled()}, index, results, on_done)
            raise
        return cast(list[R], results)  # every slot is filled once all futures are done

    @staticmethod
    def _collect(
        done: set[Future[R]],
        index: dict[Future[R], int],
        results: list[R | None],
        on_done: Callable[[R], None] | None,
    ) -> None:
        for future in sorted(done, key=index.__getitem__):
            results[index[future]] = future.result()
            if on_done is not None:
                on_done(future.result())

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

    def __init__(self, rate: float | None, *, seed: int = 0) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def wait(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self._interval * self._random.uniform(0.75, 1.25)
        if slot > now:
            time.sleep(slot - now)
