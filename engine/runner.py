"""The only thread pool in netplay: runs one function over many hosts, results in input order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from types import TracebackType
from typing import TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")


class Runner:
    """A bounded pool of worker threads (`forks`) kept for the whole run.

    Workers must not raise: per-host failures are returned as data. Callbacks run on the
    calling (main) thread, so they may update shared state without locks.
    """

    def __init__(self, forks: int) -> None:
        if forks < 1:
            raise ValueError("forks must be at least 1")
        self.forks = forks
        self._pool = ThreadPoolExecutor(max_workers=forks, thread_name_prefix="netplay")

    def map(
        self,
        work: Callable[[T], R],
        items: Sequence[T],
        on_done: Callable[[R], None] | None = None,
    ) -> list[R]:
        """Run `work` on every item; return the results in the order of `items`."""
        futures = [self._pool.submit(work, item) for item in items]
        index: dict[Future[R], int] = {f: i for i, f in enumerate(futures)}
        results: list[R | None] = [None] * len(futures)
        try:
            for future in as_completed(futures):
                result = future.result()
                results[index[future]] = result
                if on_done is not None:
                    on_done(result)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return cast(list[R], results)  # every slot is filled once all futures are done

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
