"""What the operator sees while a run goes, over real SSH to the lab: `netplay run` on a
pseudo-terminal, its screen rendered by a terminal emulator (pyte) and read at points of
the run, found by what the screen shows (never by time); and plain lines when piped.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyte
import pytest

from engine.cli import main

pytestmark = pytest.mark.lab

GOLDEN = Path(__file__).parent / "golden"
HANG_GUARD = 120.0  # seconds: only against a hang, never a measure
CURSOR_MOVES = re.compile(rb"\x1b\[(\?25[lh]|2K|\d*A)")  # what only a redrawn region sends
PLAYBOOK = """\
name: Morning check
hosts: all
steps:
  - name: Clock
    send: show clock
  - name: Version
    send: show version | include IOS Software
  - name: Loopbacks
    send: show ip interface brief | include Loopback
"""


def write_lab(folder: Path, count: int, knobs: Mapping[str, Mapping[str, Any]]) -> Path:
    """`count` hosts named H01...; `knobs` gives a host its lab knobs (latency elsewhere)."""
    rows = ["defaults: {username: netops, password: Pw-Lemur-9047, secret: En-Tapir-6618}"]
    rows.append("hosts:")
    for number in range(1, count + 1):
        name = f"H{number:02d}"
        lab = json.dumps(dict(knobs.get(name, {"command_delay": 0.05, "jitter": 0.5})))
        rows.append(f"  {name}: {{host: 192.168.100.{number}, lab: {lab}}}")
    (folder / "inventory.yml").write_text("\n".join(rows) + "\n")
    (folder / "playbook.yml").write_text(PLAYBOOK)
    return folder / "playbook.yml"


class Terminal:
    """`netplay` on a pseudo-terminal of 140 x 200, and the screen it draws."""

    def __init__(self, argv: list[str], cwd: Path, *, env: Mapping[str, str]) -> None:
        self.screen = pyte.Screen(140, 200)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 200, 140, 0, 0))
        environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")}
        environ |= {"TERM": "xterm-256color", **env}
        command = [sys.executable, "-m", "engine", *argv]
        self.process = subprocess.Popen(
            command, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=environ
        )
        os.close(slave)
        self.master = master
        self.deadline = time.monotonic() + HANG_GUARD

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display).rstrip()

    def until(self, shows: Callable[[str], bool]) -> str:
        """Read what netplay writes until the screen `shows` what is awaited; the screen."""
        while not shows(self.text):
            if not self._read():
                raise AssertionError(f"the screen never showed it; it shows:\n{self.text}")
        return self.text

    def end(self) -> tuple[int, str]:
        """Read to the end of the run: its exit code and the last screen."""
        while self._read():
            pass
        return self.process.wait(timeout=HANG_GUARD), self.text

    def _read(self) -> bool:
        left = self.deadline - time.monotonic()
        assert left > 0, f"netplay hung; the screen shows:\n{self.text}"
        ready, _, _ = select.select([self.master], [], [], left)
        try:
            data = os.read(self.master, 65536) if ready else b""
        except OSError:  # EIO: the program has closed the terminal
            data = b""
        self.raw += data
        self.stream.feed(data)
        return bool(data)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=HANG_GUARD)
        os.close(self.master)


@contextlib.contextmanager
def terminal(argv: list[str], cwd: Path, **env: str) -> Iterator[Terminal]:
    term = Terminal(argv, cwd, env=env)
    try:
        yield term
    finally:
        term.close()


def still_running(screen: str) -> set[str]:
    """The hosts the status region says are still running (named when few are left)."""
    named = (line.partition("  running: ")[2] for line in screen.splitlines())
    return {host for hosts in named for host in hosts.split(", ") if host}


def status_line(screen: str, step: str) -> str:
    """The status region's line for `step` (`  Clock  29/30  ok 28 ...`)."""
    found = [line for line in screen.splitlines() if re.match(rf"  {step} +\d+/\d+  ok ", line)]
    assert found, f"no status line for {step}:\n{screen}"
    return found[-1]


@pytest.mark.heavy
def test_thirty_hosts_show_progress_failures_at_once_and_the_slow_host_at_the_end(
    tmp_path: Path,
) -> None:
    knobs = {"H07": {"reject": ["show version"]}, "H19": {"refuse": True}}
    playbook = write_lab(tmp_path, 30, {**knobs, "H30": {"command_delay": 1.0}})
    argv = ["run", str(playbook), "-i", "inventory.yml", "--lab", "-f", "30"]
    with terminal(argv, tmp_path) as term:
        failed = "  failed      H07  Version"
        unreachable = "  unreachable H19  Clock"

        def slow_host_left(screen: str) -> bool:
            return failed in screen and unreachable in screen and "H30" in still_running(screen)

        during = term.until(slow_host_left)
        code, after = term.end()
    assert "RECAP" not in during
    assert "    | % Invalid input detected at '^' marker." in during  # the device's last lines
    assert re.search(r"failed 1", status_line(during, "Version"))
    assert not re.search(r"^  ok +H\d\d", during, re.M)  # 30 hosts: only failures get lines
    assert code == 3
    assert "hosts: 28 ok · 1 failed: H07 · 1 unreachable: H19" in after
    slowest = after.split("slowest hosts:\n", 1)[1].splitlines()
    assert slowest[0].startswith("  H30  ")
    assert re.search(r"connect [\d.]+s · enable [\d.]+s · commands [\d.]+s · waiting", slowest[0])
    assert not re.search(r"^  \S.* \d+/\d+  ok \d", after, re.M)  # the status region is gone
    assert CURSOR_MOVES.search(term.raw)


def test_a_small_play_prints_each_hosts_output_as_it_finishes(tmp_path: Path) -> None:
    playbook = write_lab(tmp_path, 3, {"H03": {"command_delay": 0.5}})
    argv = ["run", str(playbook), "-i", "inventory.yml", "--lab"]
    with terminal(argv, tmp_path) as term:
        # H01's line and its output may arrive in two writes: wait for both, and they
        # must both be on screen while H03 is still running
        during = term.until(
            lambda screen: (
                "  ok          H01  Loopbacks" in screen
                and "Loopback0              10.255.0.1" in screen
                and "H03" in still_running(screen)
            )
        )
        code, _ = term.end()
    assert "Loopback0              10.255.0.1" in during
    assert "RECAP" not in during and code == 0


@pytest.mark.parametrize(
    ("option", "env"), [("--no-progress", {}), ("-q", {"NO_COLOR": "1"})], ids=["option", "env"]
)
def test_no_progress_or_no_color_gives_plain_lines_on_a_terminal(
    tmp_path: Path, option: str, env: dict[str, str]
) -> None:
    playbook = write_lab(tmp_path, 2, {})
    argv = ["run", str(playbook), "-i", "inventory.yml", "--lab", option]
    with terminal(argv, tmp_path, **env) as term:
        code, screen = term.end()
    assert code == 0
    assert "STEP Clock\n  ok          H01" in screen and "RECAP" in screen
    assert CURSOR_MOVES.search(term.raw) is None


def normalised(text: str) -> str:
    """Plain output with what changes from run to run (times, ports) made constant."""
    text = re.sub(r"\d+\.\d\ds", "N.NNs", text)
    return re.sub(r"127\.0\.1\.(\d+):\d+", r"127.0.1.\1:PORT", text)


def test_piped_output_is_plain_stable_lines_in_step_and_inventory_order(tmp_path: Path) -> None:
    knobs = {"H02": {"reject": ["show version"]}, "H03": {"refuse": True}}
    playbook = write_lab(tmp_path, 4, knobs)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["run", str(playbook), "-i", str(tmp_path / "inventory.yml"), "--lab"])
    printed = normalised(out.getvalue())
    assert code == 3
    head, _, tail = printed.partition("finished in N.NNs\n")
    head = re.sub(r"\*\d\d:\d\d:\d\d\.\d+ UTC \w+ \w+ \d+ \d+", "*CLOCK", head)
    assert head == (GOLDEN / "plain-run.txt").read_text()
    assert tail.splitlines()[0].startswith("per host (median): connect N.NNs · enable")
    assert tail.splitlines()[1] == "slowest hosts:"
    assert len(tail.splitlines()) == 5  # the three slowest of the four hosts
