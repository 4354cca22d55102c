"""The driver boundary: how the executor talks to one device.

A driver is one SSH session to one host, opened on first use and kept for the whole run.
Drivers raise only `engine.errors.DeviceError` subclasses; each translates its library's
exceptions in one place. Device error text (``% Invalid input``) is not an exception: it
comes back in `Reply.error`, beside the output, so nothing the device said is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from engine.inventory import Host
from engine.platforms import error_texts
from engine.regex import compile_linear
from engine.secrets import Mask


def error_pattern(platform: str, extra: Sequence[str] = ()) -> re.Pattern[str]:
    """One compiled regex matching any device error text for `platform`. `extra` comes from
    the playbook, so the whole runs on RE2, in time linear in the device's output."""
    parts = (*error_texts(platform), *extra)
    compiled: re.Pattern[str] = compile_linear("|".join(f"(?:{p})" for p in parts))
    return compiled


def find_error(text: str, pattern: re.Pattern[str]) -> str | None:
    """The device's error line in `text`, if any."""
    match = pattern.search(text)
    if match is None:
        return None
    start = text.rfind("\n", 0, match.start()) + 1
    end = text.find("\n", match.end())
    return text[start : end if end != -1 else len(text)].strip()


# accept-new: trust a host's key the first time and remember it; refuse a changed key.
# strict: refuse any host whose key is not already known.  off: check nothing (what
# netmiko does by default; the right choice for the simulated lab, whose keys are new at
# every start). The command line defaults to accept-new and uses off with --lab.
HostKeyPolicy = Literal["accept-new", "strict", "off"]
HOST_KEY_POLICIES: tuple[HostKeyPolicy, ...] = ("accept-new", "strict", "off")
DEFAULT_KNOWN_HOSTS = Path("~/.ssh/known_hosts")


@dataclass(frozen=True)
class ConnectionSettings:
    """Timeouts and policies shared by every session of a run.

    `known_hosts` is the OpenSSH-format file the host key policy reads and appends to
    (`~/.ssh/known_hosts` when None). `session_log_dir` receives one session log per host
    (0600, never written through a symbolic link), with the host's credentials and every
    value of `mask` replaced by ``********``. `tunnels` carries the sessions of hosts
    behind a jump host (one per run, set by engine.sessions).
    """

    connect_timeout: float = 10.0
    command_timeout: float = 30.0
    fast_cli: bool = True
    host_key_policy: HostKeyPolicy = "accept-new"
    known_hosts: Path | None = None
    session_log_dir: Path | None = None
    mask: Mask = field(default_factory=Mask, repr=False)
    tunnels: Tunnels | None = field(default=None, repr=False, compare=False)

    def known_hosts_file(self) -> Path:
        """The known-hosts file to use, with `~` expanded."""
        return (self.known_hosts or DEFAULT_KNOWN_HOSTS).expanduser()


class Tunnels(Protocol):
    """A run's connections to its jump hosts (engine.drivers.bastion)."""

    def channel(self, host: Host, timeout: float) -> Any:
        """A socket-like channel to `host` through its jump host; Unreachable naming the
        bastion if it cannot be had."""

    def close(self) -> None:
        """Close every bastion connection; never raises."""


@dataclass(frozen=True)
class Reply:
    """What the device answered; `error` holds its error line when it refused something."""

    output: str
    error: str | None = None
    applied: bool | None = None  # config: False when nothing was applied (candidate dropped)


class Driver(Protocol):
    """One session to one device. Not shared between threads at the same time."""

    @property
    def prompt(self) -> str | None:
        """The device prompt (`R1#`) once open."""

    def open(self) -> None:
        """Connect, log in, enter enable mode when a secret is given."""

    def send(
        self,
        command: str,
        *,
        timeout: float | None = None,
        expect: str | None = None,
        answers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Run one exec-mode command and return its output.

        The command ends at the prompt, or where the `expect` regex matches. While it
        runs, text matching a regex of `answers` is answered with its value (and Enter),
        for commands that ask questions (`reload`, `copy`, `delete`).
        """

    def configure(
        self,
        lines: Sequence[str],
        *,
        timeout: float | None = None,
        error_patterns: Sequence[str] = (),
    ) -> Reply:
        """Enter config mode, send lines until one is refused, leave config mode.

        A line is refused when its output matches the platform's error text or one of
        `error_patterns` (extra regexes from the playbook).
        """

    def save(self, *, timeout: float | None = None) -> Reply:
        """Save the running configuration (`write memory`)."""

    def close(self) -> None:
        """Leave the session; never raises."""


DriverFactory = Callable[[Host, ConnectionSettings], Driver]


def netmiko_factory(host: Host, settings: ConnectionSettings) -> Driver:
    """The default driver. Imported lazily: `validate` and `--help` never load netmiko."""
    from engine.drivers.netmiko import NetmikoDriver

    return NetmikoDriver(host, settings)
