"""Run one tool as a child process and measure it: wall time, CPU time, memory.

CPU time is the user + system time of every process of the tool's tree. The harness makes
itself a child subreaper, so processes that a tool daemonizes (Ansible's persistent
`ansible-connection`) are re-parented to the harness instead of init; the harness reaps them
after the run, and `getrusage(RUSAGE_CHILDREN)` before/after the run then covers the whole
tree. Memory is sampled: every `interval` seconds the PSS (proportional set size: a page
shared by k processes counts 1/k in each) of every live process of the tree is summed, so
the sum is the memory the tree really holds; its peak is reported, beside the peak sum of
RSS (which repeats shared pages) and the largest single process's RSS from `wait4`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

_PR_SET_CHILD_SUBREAPER = 36
_ORPHAN_GRACE = 10.0  # seconds left to a tool's daemons to exit by themselves


@dataclass(frozen=True)
class Measurement:
    """What one child process tree cost."""

    wall: float  # seconds from spawn until the main process exited
    cpu: float  # user + system seconds of the whole tree
    peak_pss: int  # bytes: largest sampled sum of PSS over the tree (shared pages split)
    peak_rss: int  # bytes: largest sampled sum of RSS over the tree (shared pages repeated)
    max_rss: int  # bytes: largest single process (ru_maxrss of the main process's wait4)
    returncode: int
    timed_out: bool
    processes: int  # most processes seen alive at once in the tree
    adopted: int  # daemonized descendants the harness reaped itself


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux only); False where the call is unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


class _TreeSampler(threading.Thread):
    """Samples the summed PSS and RSS of a process tree until stopped."""

    def __init__(self, root: int, exclude: Collection[int], interval: float) -> None:
        super().__init__(daemon=True)
        self._root, self._exclude, self._interval = root, exclude, interval
        self._stop_event = threading.Event()
        self.peak_pss = 0
        self.peak_rss = 0
        self.peak_processes = 0

    def run(self) -> None:
        while not self._stop_event.wait(self._interval):
            self._sample()

    def _sample(self) -> None:
        pss = rss = count = 0
        for proc in tree_processes(self._root, self._exclude):
            with contextlib.suppress(psutil.Error):
                memory = proc.memory_full_info()  # ~1 ms a process: smaps_rollup
                pss, rss, count = pss + memory.pss, rss + memory.rss, count + 1
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_processes = max(self.peak_processes, count)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
        self._sample()


def tree_processes(root: int, exclude: Collection[int]) -> list[psutil.Process]:
    """The root and its descendants, plus orphans adopted by this process (minus `exclude`)."""
    found: dict[int, psutil.Process] = {}
    with contextlib.suppress(psutil.Error):
        top = psutil.Process(root)
        found[root] = top
        found.update((p.pid, p) for p in top.children(recursive=True))
    for proc in adopted(exclude):
        found.setdefault(proc.pid, proc)
        with contextlib.suppress(psutil.Error):
            found.update((p.pid, p) for p in proc.children(recursive=True))
    return [p for pid, p in found.items() if pid not in exclude]


def adopted(exclude: Collection[int]) -> list[psutil.Process]:
    """Direct children of this process, except the ones in `exclude` (e.g. the lab)."""
    with contextlib.suppress(psutil.Error):
        return [p for p in psutil.Process().children() if p.pid not in exclude]
    return []


def run_measured(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    exclude: Collection[int] = (),
    interval: float = 0.5,
) -> Measurement:
    """Run `argv` to completion (or kill it after `timeout`), its output going to files in cwd."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(cwd / "stdout.txt", "wb") as out, open(cwd / "stderr.txt", "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        sampler = _TreeSampler(proc.pid, exclude, interval)
        sampler.start()
        try:
            status, usage, timed_out = _wait(proc, timeout, exclude)
        except BaseException:  # Ctrl-C: the child has its own session and did not get it
            kill_tree(proc.pid, exclude)
            sampler.stop()
            reap_orphans(exclude)
            raise
        wall = time.perf_counter() - start
        sampler.stop()
    adopted_count = reap_orphans(exclude)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    max_rss = usage.ru_maxrss * 1024
    # A run shorter than one sampling interval has no sample: its largest process stands in.
    pss, rss = sampler.peak_pss or max_rss, sampler.peak_rss or max_rss
    code = os.waitstatus_to_exitcode(status)
    return Measurement(
        wall, cpu, pss, rss, max_rss, code, timed_out, sampler.peak_processes, adopted_count
    )


def _wait(
    proc: subprocess.Popen[bytes], timeout: float, exclude: Collection[int]
) -> tuple[int, resource.struct_rusage, bool]:
    """wait4 the main process (polling, so the timeout holds); kill the tree on timeout."""
    deadline = time.monotonic() + timeout
    timed_out = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
            return status, usage, timed_out
        if not timed_out and time.monotonic() > deadline:
            timed_out = True
            kill_tree(proc.pid, exclude)
        time.sleep(0.02)


def kill_tree(root: int, exclude: Collection[int]) -> None:
    """SIGKILL the tree rooted at `root` (and adopted orphans), by process id."""
    for proc in tree_processes(root, exclude):
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)


def reap_orphans(exclude: Collection[int]) -> int:
    """Wait for adopted daemons to exit (killing them after a grace period) and reap them;
    returns how many there were."""
    seen: set[int] = set()
    deadline = time.monotonic() + _ORPHAN_GRACE
    while (orphans := adopted(exclude)) and time.monotonic() < deadline:
        seen.update(p.pid for p in orphans)
        _reap(orphans)
        time.sleep(0.1)
    for proc in adopted(exclude):
        seen.add(proc.pid)
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
    _reap(adopted(exclude), block=True)
    return len(seen)


def _reap(procs: list[psutil.Process], *, block: bool = False) -> None:
    for proc in procs:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(proc.pid, 0 if block else os.WNOHANG)
