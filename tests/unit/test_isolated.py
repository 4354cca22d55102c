"""Work in the isolated child process answers with plain data, or fails alone, in bounded time
and memory, and the child never outlives netplay.

The handler here is `eval` in the child, so each test says in its request what the child does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.isolated import Isolated, IsolatedError, Limits

ROOT = Path(__file__).resolve().parents[2]
LIMITS = Limits(seconds=2.0, memory=256 << 20, answer=1 << 20)
PID = "__import__('os').getpid()"
CATASTROPHIC = "__import__('re').match('(a*)*b', 'a' * 64)"  # backtracks for ages, GIL held


@pytest.fixture
def child() -> Iterator[Isolated]:
    isolated = Isolated("builtins:eval", LIMITS)
    yield isolated
    isolated.close()


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_until(condition: Callable[[], object], what: str) -> None:
    """Poll `condition()` (a guard against a hang, not a speed test)."""
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def test_an_answer_comes_back_as_plain_data(child: Isolated) -> None:
    assert child.call("sorted([3, 1, 2])") == [1, 2, 3]
    ip = "__import__('ipaddress').ip_address('10.0.0.1')"
    assert child.call(f"{{'ip': {ip}, 'none': None}}") == {"ip": "10.0.0.1", "none": None}


def test_the_child_runs_in_another_process_that_serves_every_call(child: Isolated) -> None:
    first = child.call(PID)
    assert first != os.getpid()
    assert child.call(PID) == first


def test_a_call_that_holds_the_gil_for_ever_fails_after_the_limit_and_threads_go_on(
    child: Isolated,
) -> None:
    before = child.call(PID)
    ticks = 0
    done = threading.Event()

    def tick() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.01)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        with pytest.raises(IsolatedError, match=r"^took longer than 2 s$"):
            child.call(CATASTROPHIC)
    finally:
        done.set()
        ticker.join()
    assert ticks > 1  # this process kept running Python during the call
    assert not alive(before)  # the stuck child was killed...
    assert child.call(PID) not in (before, os.getpid())  # ...and a new one serves


def test_running_out_of_memory_fails_the_call_and_the_next_one_works(child: Isolated) -> None:
    with pytest.raises(IsolatedError, match=r"^ran out of memory \(the limit is 256 MiB\)$"):
        child.call("len(bytearray(1 << 30))")
    assert child.call("len(bytearray(1 << 20))") == 1 << 20


def test_an_answer_over_the_limit_is_refused(child: Isolated) -> None:
    with pytest.raises(IsolatedError, match=r"^gave 1\.91 MiB of results \(the limit is 1 MiB\)$"):
        child.call("'x' * 2_000_000")


def test_system_exit_in_the_child_is_an_error_not_an_exit(child: Isolated) -> None:
    with pytest.raises(IsolatedError, match=r"^failed: SystemExit: bye$"):
        child.call("__import__('sys').exit('bye')")
    assert child.call("1 + 1") == 2


def test_a_child_that_dies_fails_the_call_and_is_replaced(child: Isolated) -> None:
    with pytest.raises(IsolatedError, match=r"^stopped unexpectedly \(exit code 3\)$"):
        child.call("__import__('os')._exit(3)")
    with pytest.raises(IsolatedError, match=r"killed by SIGKILL"):
        child.call("__import__('os').kill(__import__('os').getpid(), 9)")
    assert child.call("1 + 1") == 2


def test_closing_fails_a_call_in_progress_at_once_instead_of_waiting() -> None:
    slow = Isolated("builtins:eval", Limits(seconds=600, memory=LIMITS.memory, answer=1 << 20))
    pid = slow.call(PID)
    failure: list[BaseException] = []

    def call() -> None:
        try:
            slow.call(CATASTROPHIC)
        except IsolatedError as exc:
            failure.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    wait_until(lambda: cpu_seconds(pid) > 0.5, "the child to be busy")
    slow.close()
    caller.join(timeout=30)
    assert not caller.is_alive()
    assert failure and "stopped unexpectedly (killed by SIGKILL)" in str(failure[0])
    assert not alive(pid)


def test_a_child_started_by_a_thread_that_ended_still_serves(child: Isolated) -> None:
    # The parent-death signal follows the thread that started the child: children are
    # started from a thread that lives as long as the process.
    pids: list[int] = []
    threads: list[int] = []

    def start() -> None:
        threads.append(threading.get_native_id())
        pids.append(child.call(PID))

    starter = threading.Thread(target=start)
    starter.start()
    starter.join()
    wait_until(lambda: not Path(f"/proc/self/task/{threads[0]}").exists(), "the thread's end")
    assert child.call(PID) == pids[0]


PROBE = """
import os, sys, threading
from engine.isolated import Isolated, Limits
child = Isolated("builtins:eval", Limits(seconds=600, memory=256 << 20, answer=1 << 20))
print(child.call("__import__('os').getpid()"), flush=True)
threading.Thread(target=child.call, args=("__import__('re').match('(a*)*b', 'a' * 64)",)).start()
sys.stdin.readline()
os._exit(int(sys.argv[1]))
"""


@pytest.mark.parametrize("ending", ["os._exit", "SIGKILL"])
def test_the_child_dies_with_netplay_even_in_the_middle_of_a_call(ending: str) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", PROBE, "0"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as probe:
        assert probe.stdout is not None and probe.stdin is not None
        pid = int(probe.stdout.readline())
        wait_until(lambda: cpu_seconds(pid) > 0.5, "the child to be busy")
        if ending == "SIGKILL":
            probe.kill()
        else:
            probe.stdin.write("\n")
            probe.stdin.flush()
        probe.wait(timeout=30)
    wait_until(lambda: not alive(pid), "the child to end")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_child_that_cannot_start_says_why() -> None:
    broken = Isolated("engine.no_such_module:handle", LIMITS)
    with pytest.raises(IsolatedError, match=r"^could not start: ModuleNotFoundError: No module"):
        broken.call(1)
