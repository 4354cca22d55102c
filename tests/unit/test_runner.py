"""The runner keeps input order whatever the completion order, and bounds concurrency."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from engine.runner import RateLimiter, Runner, Stop


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


# --- stopping ---------------------------------------------------------------------------------


def test_once_stopped_items_not_started_never_start_and_their_slots_are_none() -> None:
    stop, started = Stop(), []

    def work(item: int) -> int:
        started.append(item)
        if item == 1:
            stop.set()  # Ctrl-C while the second item runs
        return item

    with Runner(1, stop=stop) as runner:
        assert runner.map(work, [0, 1, 2, 3]) == [0, 1, None, None]
    assert started == [0, 1]


def test_items_in_flight_get_the_grace_period_and_still_reach_on_done() -> None:
    stop, inside = Stop(), threading.Event()
    seen: list[int] = []

    def work(item: int) -> int:
        if item == 0:
            inside.set()
            assert stop.wait(10)  # in flight when the stop comes, then finishes
        else:
            assert inside.wait(10)
            stop.set()
        return item

    with Runner(2, stop=stop, grace=10) as runner:
        assert runner.map(work, [0, 1], on_done=seen.append) == [0, 1]
    assert sorted(seen) == [0, 1]


def test_an_item_outlasting_the_grace_period_is_left_behind() -> None:
    stop, inside, release = Stop(), threading.Event(), threading.Event()

    def work(item: int) -> int:
        inside.set()
        release.wait(10)
        return item

    def interrupt() -> None:
        inside.wait(10)
        stop.set()

    runner = Runner(1, stop=stop, grace=0.01)
    threading.Thread(target=interrupt).start()
    try:
        assert runner.map(work, [0]) == [None]
    finally:
        release.set()
        runner.close()


def test_a_stop_request_before_a_run_or_a_second_one_leaves_at_once() -> None:
    stop = Stop()
    with pytest.raises(KeyboardInterrupt):
        stop.request()  # no run yet: the classic Ctrl-C
    stop.armed = True
    stop.request()
    assert stop.is_set()
    with pytest.raises(KeyboardInterrupt):
        stop.request()


def test_a_shielded_block_finishes_before_a_second_request_leaves() -> None:
    stop, done = Stop(), []
    stop.armed = True
    stop.request()
    with pytest.raises(KeyboardInterrupt), stop.shielded():
        stop.request()
        done.append("the block went on to its end")
    assert done == ["the block went on to its end"]


def test_the_rate_limiter_stops_waiting_when_the_run_stops() -> None:
    stop = Stop()
    limiter = RateLimiter(1e-6, stop=stop)  # a slot every eleven days
    limiter.wait()
    waiting = threading.Thread(target=limiter.wait)
    waiting.start()
    stop.set()
    waiting.join(10)
    assert not waiting.is_alive()


def test_a_second_interrupt_during_the_grace_period_leaves_at_once(
    interrupts: Callable[[Stop], Callable[[], None]],
) -> None:
    stop, release = Stop(), threading.Event()
    stop.armed = True
    interrupt = interrupts(stop)

    def work(item: int) -> int:
        if item == 0:
            interrupt()  # the first: stop starting things, give item 1 its grace
            interrupt()  # the second: leave at once
        else:
            release.wait(10)  # outlasts nothing but a grace of 60 s
        return item

    runner = Runner(2, stop=stop, grace=60)
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.map(work, [0, 1])
    finally:
        release.set()
        runner.close()
