"""Work on untrusted input in a child process, bounded in wall-clock time and in memory.

A TTP template runs Python's backtracking `re` and string methods on device output: one
regex can backtrack for hours while holding the GIL (the main thread could not even handle
Ctrl-C), and a chain of `replace` can ask for gigabytes. Such work runs in one long-lived
child process per `Isolated`, started on first use and again after it was killed:

- the child caps its own address space (`RLIMIT_AS`): running out of memory is a
  MemoryError there, reported as such, never in netplay;
- the parent waits for each answer in `Connection.poll(timeout)`, which releases the GIL, so
  signals are handled and other hosts go on; past the time limit the child is killed and the
  call fails with `IsolatedError`;
- on Linux the kernel kills the child when netplay ends, however it ends (`os._exit`,
  SIGKILL), even in the middle of a call (children are started from one long-lived thread,
  since that signal follows the thread that started them); an idle child also leaves when
  its pipe closes.

The child is a new interpreter (`subprocess`, never `fork`: the parent has threads), in
isolated mode (`-I`: no module is imported from the current folder) with the parent's
`sys.path`. It imports only this module and its handler, unlike multiprocessing's spawn,
which would import the parent's `__main__` again and start a resource tracker process.
Requests and answers are JSON, never pickle, so an answer cannot make the parent run code.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

# The child's set-up may take a while on a loaded machine (an interpreter, then imports).
START_SECONDS = 60.0
_SLACK = 1024  # an answer's JSON around the handler's own


class IsolatedError(Exception):
    """A call that gave no answer: too slow, out of memory, answer too large, or the child
    died. The message completes a sentence such as "ttp parse ..."."""


@dataclass(frozen=True)
class Limits:
    """Bounds of one call: wall-clock seconds, bytes of address space, bytes of answer."""

    seconds: float
    memory: int
    answer: int


_Process = subprocess.Popen[bytes]


@dataclass(frozen=True)
class _Child:
    process: _Process
    connection: Connection


class Isolated:
    """Calls `handler` ("module:function", a function of JSON-like data) in a child process.

    Calls take turns (one child, one call at a time). The child is started on first use,
    killed on a timeout, after running out of memory or at exit, and started again by the
    next call.
    """

    def __init__(self, handler: str, limits: Limits) -> None:
        self.handler = handler
        self.limits = limits
        self._lock = threading.Lock()
        self._child: _Child | None = None
        atexit.register(self.close)
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        """In a forked process (a worker of engine.workers): the child belongs to the
        parent, and so did the lock's holder, if any; this process starts its own."""
        self._lock = threading.Lock()
        self._child = None

    def call(self, request: Any) -> Any:
        """The handler's answer to `request`; IsolatedError when there is none."""
        data = json.dumps(request).encode()
        with self._lock:
            child = self._running()
            try:
                child.connection.send_bytes(data)
                if not child.connection.poll(self.limits.seconds):
                    raise IsolatedError(f"took longer than {self.limits.seconds:g} s")
                answer = json.loads(child.connection.recv_bytes(self.limits.answer + _SLACK))
            except (EOFError, OSError, ValueError):
                message = _died(child.process)
                self._kill()
                raise IsolatedError(message) from None
            except BaseException:  # a timeout, or Ctrl-C: never leave a child at work
                self._kill()
                raise
            if "error" in answer:
                self._kill()  # it ran out of memory, or went wrong: start afresh
                raise IsolatedError(answer["error"])
        return answer["answer"]

    def close(self) -> None:
        """Kill the child, if any (a new one starts on the next call). A call in progress
        is not waited for: it fails at once."""
        child = self._child
        if child is not None:
            child.process.kill()
        with self._lock:
            self._kill()

    def _running(self) -> _Child:
        """The child, started when there is none or it died while idle."""
        if self._child is not None and self._child.process.poll() is not None:
            self._kill()
        if self._child is None:
            self._child = self._start()
        return self._child

    def _start(self) -> _Child:
        from multiprocessing.connection import Pipe

        ours, theirs = Pipe()
        argv = [sys.executable, "-I", "-c", _BOOT, json.dumps(sys.path), self.handler]
        limits = (self.limits.memory, self.limits.answer, os.getpid(), theirs.fileno())
        argv += [str(number) for number in limits]
        try:
            process = _launcher.popen(argv, theirs.fileno())
        except OSError as exc:
            raise IsolatedError(f"could not start: {exc}") from None
        finally:
            theirs.close()
        child = _Child(process, ours)
        try:
            if not ours.poll(START_SECONDS):
                raise IsolatedError(f"could not start: no answer in {START_SECONDS:g} s")
            ready = json.loads(ours.recv_bytes(_SLACK))
        except (EOFError, OSError, ValueError):
            _stop(child)
            raise IsolatedError(f"could not start: {_died(process)}") from None
        except BaseException:
            _stop(child)
            raise
        if "error" in ready:
            _stop(child)
            raise IsolatedError(f"could not start: {ready['error']}")
        return child

    def _kill(self) -> None:
        if self._child is not None:
            _stop(self._child)
            self._child = None


class _Launcher:
    """Starts every child from one thread that lives as long as the process: the kernel
    sends the parent-death signal when the *thread* that started a child ends, and a child
    started by a worker thread would die with it, maybe in the middle of another's call."""

    def __init__(self) -> None:
        self._requests: queue.SimpleQueue[tuple[list[str], int, Future[_Process]]]
        self._requests = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def popen(self, argv: list[str], fd: int) -> _Process:
        """The started child, given `fd` (stdin, stdout and stderr go nowhere)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="isolated", daemon=True)
                self._thread.start()
        started: Future[_Process] = Future()
        self._requests.put((argv, fd, started))
        return started.result()

    def _serve(self) -> None:
        while True:
            argv, fd, started = self._requests.get()
            try:
                started.set_result(
                    subprocess.Popen(
                        argv,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,  # nothing of the child reaches a terminal
                        pass_fds=(fd,),
                    )
                )
            except Exception as exc:  # for the caller to raise; this thread goes on
                started.set_exception(exc)


_launcher = _Launcher()


def _relaunch() -> None:
    """A forked process has none of its parent's threads: it needs a launcher of its own."""
    global _launcher
    _launcher = _Launcher()


os.register_at_fork(after_in_child=_relaunch)


def _stop(child: _Child) -> None:
    child.process.kill()
    child.process.wait()
    child.connection.close()


def _died(process: _Process) -> str:
    try:
        code = process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return "stopped answering"
    if code < 0:
        return f"stopped unexpectedly (killed by {signal.Signals(-code).name})"
    return f"stopped unexpectedly (exit code {code})"


# --- in the child ------------------------------------------------------------------------

_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from engine.isolated import serve; serve(*sys.argv[2:])"
)


def serve(handler: str, memory: str, answer: str, parent: str, fd: str) -> None:
    """The child's loop: answer each request until the pipe closes."""
    from importlib import import_module
    from multiprocessing.connection import Connection

    _die_with_parent(int(parent))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent to handle
    limit = _limit_memory(int(memory))
    connection = Connection(int(fd))
    module, _, name = handler.partition(":")
    try:
        function = getattr(import_module(module), name)
    except Exception as exc:  # said to the parent, since this process has no terminal
        connection.send_bytes(_error(f"{type(exc).__name__}: {exc}"))
        return
    connection.send_bytes(b"{}")
    while True:
        try:
            request = connection.recv_bytes()
        except EOFError:
            return
        except MemoryError:  # the request was cut: answer, then leave
            connection.send_bytes(_out_of_memory(limit))
            return
        connection.send_bytes(_answer(function, request, limit, int(answer)))


def _answer(function: Any, request: bytes, memory: int, limit: int) -> bytes:
    """The JSON answer to one request: the handler's value, or why there is none."""
    try:
        answer = json.dumps({"answer": function(json.loads(request))}, default=str).encode()
    except MemoryError:
        return _out_of_memory(memory)
    except BaseException as exc:  # SystemExit from a library included: an answer, not an exit
        return _error(f"failed: {type(exc).__name__}: {exc}")
    if len(answer) > limit:
        return _error(f"gave {_size(len(answer))} of results (the limit is {_size(limit)})")
    return answer


def _error(message: str) -> bytes:
    return json.dumps({"error": message}).encode()


def _out_of_memory(memory: int) -> bytes:
    return _error(f"ran out of memory (the limit is {_size(memory)})")


def _size(count: int) -> str:
    return f"{count / (1 << 30):.3g} GiB" if count >= 1 << 30 else f"{count / (1 << 20):.3g} MiB"


def _limit_memory(memory: int) -> int:
    """Cap this process's address space at `memory` bytes (or lower, as it already was)."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def _die_with_parent(parent: int) -> None:
    """Ask the kernel (Linux) to SIGKILL this process when its parent ends."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (AttributeError, OSError):  # no prctl: the pipe's end still stops an idle child
        return
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(0)
