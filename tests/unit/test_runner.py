"""The runner keeps input order whatever the completion order, and bounds concurrency."""

from __future__ import annotations

import threading
import time

import pytest

from engine.runner import Runner


def test_results_keep_input_order_when_later_items_finish_first() -> None:
    with Runner(4) as runner:
        assert runner.map(lambda d: (time.sleep(d), d)[1], [0.05, 0.01, 0.0]) == [0.05, 0.01, 0.0]


def test_no_more_than_forks_items_run_at_once() -> None:
    running, peak, lock = 0, 0, threading.Lock()

    def work(_: int) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01)
        with lock:
            running -= 1

    with Runner(3) as runner:
        runner.map(work, list(range(12)))
    assert peak == 3


def test_on_done_is_called_on_the_calling_thread() -> None:
    seen: list[str] = []
    with Runner(2) as runner:
        runner.map(
            lambda x: x, [1, 2], on_done=lambda _: seen.append(threading.current_thread().name)
        )
    assert seen == [threading.current_thread().name] * 2


def test_forks_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Runner(0)
