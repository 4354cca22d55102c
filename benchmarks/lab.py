"""The simulated lab as a separate process: its inventory, start-up, readiness and shutdown.

One lab serves the largest size of the run; a run of size N uses its first N hosts. The
lab's inventory carries the latency profile (`lab:` knobs); the tools get inventories of
their own (without the knobs) pointing at the addresses the lab printed.
"""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import yaml

from benchmarks.workloads import Target

_LISTEN_RE = re.compile(r"^(\S+)\s+(127\.\d+\.\d+\.\d+):(\d+)\s*$")
USERNAME = "bench"
PASSWORD = "bench-login-pw"  # lab-only credentials; never printed by the harness
SECRET = "bench-enable-pw"


@dataclass(frozen=True)
class Profile:
    """The latency profile every simulated host gets."""

    connect_delay: float = 1.0
    command_delay: float = 0.2
    jitter: float = 0.3

    def knobs(self) -> dict[str, float]:
        return {
            "connect_delay": self.connect_delay,
            "command_delay": self.command_delay,
            "jitter": self.jitter,
        }


def host_name(index: int) -> str:
    """The inventory name of host `index` (0-based): r001, r002, ..."""
    return f"r{index + 1:03d}"


def inventory_addresses(count: int) -> list[str]:
    """The addresses the lab will listen on, in order; the lab inventory names them too, so
    each device's `show ip interface brief` shows the address the tools connect to."""
    from engine.lab.lab import allocate  # the lab's own rule

    return allocate("127.0.1.1", count)


def write_lab_inventory(path: Path, count: int, profile: Profile) -> None:
    """A netplay inventory of `count` hosts, every one with the latency profile."""
    data = {
        "defaults": {
            "platform": "cisco_ios",
            "username": USERNAME,
            "password": PASSWORD,
            "secret": SECRET,
            "lab": profile.knobs(),
        },
        "hosts": {host_name(i): {"host": a} for i, a in enumerate(inventory_addresses(count))},
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def expected_mgmt(index: int, address: str) -> str:
    """The management address the lab derives for host `index`, as its outputs show it."""
    from engine.lab.identity import derive  # the lab's own rule, not a copy of it

    return str(derive(host_name(index), address).management.ip)


class LabProcess:
    """`netplay lab serve` running in its own process for the length of a benchmark."""

    def __init__(self, argv: Sequence[str], count: int, log: Path) -> None:
        self.argv, self.count, self.log_path = list(argv), count, log
        self.proc: subprocess.Popen[str] | None = None
        self.targets: list[Target] = []
        self._lines: list[str] = []
        self._log: IO[str] | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc is not None else -1

    def start(self, timeout: float) -> list[Target]:
        """Start the lab, wait until it printed every host and every listener accepts."""
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self.argv,
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        reader = threading.Thread(target=self._read, daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout
        self.targets = self._wait_listed(deadline)
        _wait_accepting(self.targets, deadline)
        return self.targets

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.append(line)
            if self._log is not None:
                self._log.write(line)
                self._log.flush()

    def _wait_listed(self, deadline: float) -> list[Target]:
        while time.monotonic() < deadline:
            targets = self._parse()
            if len(targets) >= self.count:
                return targets
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"the lab exited with {self.proc.returncode}; see {self.log_path}"
                )
            time.sleep(0.1)
        raise TimeoutError(f"the lab did not list {self.count} hosts in time; see {self.log_path}")

    def _parse(self) -> list[Target]:
        listed = {}
        for line in list(self._lines):
            match = _LISTEN_RE.match(line.strip())
            if match:
                listed[match.group(1)] = (match.group(2), int(match.group(3)))
        names = [host_name(i) for i in range(self.count)]
        if not all(name in listed for name in names):
            return []
        addresses = inventory_addresses(self.count)
        return [
            Target(name, listed[name][0], listed[name][1], expected_mgmt(i, addresses[i]), i)
            for i, name in enumerate(names)
        ]

    @property
    def can_reseed(self) -> bool:
        return "reseed: ready\n" in self._lines

    def reseed(self, timeout: float = 10.0) -> bool:
        """Restart every device's delay draws (see labserver); False if not supported."""
        if self.proc is None or not self.can_reseed:
            return False
        before = self._lines.count(f"reseeded {self.count}\n")
        self.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._lines.count(f"reseeded {self.count}\n") > before:
                return True
            time.sleep(0.01)
        raise TimeoutError("the lab did not confirm restarting its delays")

    def stop(self) -> None:
        """SIGINT, then SIGKILL after 15 s; always safe to call."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None


def _wait_accepting(targets: Sequence[Target], deadline: float) -> None:
    """Block until a TCP connection to every listener succeeds."""
    pending = list(targets)
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{len(pending)} lab listeners never accepted, e.g. {pending[0].address}"
            )
        pending = [t for t in pending if not _accepts(t)]
        if pending:
            time.sleep(0.2)


def _accepts(target: Target) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((target.address, target.port), 1.0):
        return True
    return False


@contextlib.contextmanager
def running_lab(
    argv: Sequence[str], count: int, log: Path, timeout: float = 120.0
) -> Iterator[LabProcess]:
    """A started lab, stopped on the way out whatever happens (errors, Ctrl-C)."""
    lab = LabProcess(argv, count, log)
    try:
        lab.start(timeout)
        yield lab
    finally:
        lab.stop()
