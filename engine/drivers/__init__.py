"""The driver boundary: how the executor talks to one device.

A driver is one SSH session to one host, opened on first use and kept for the whole run.
Drivers raise only `engine.errors.DeviceError` subclasses; each translates its library's
exceptions in one place. Device error text (``% Invalid input``) is not an exception: it
comes back in `Reply.error`, beside the output, so nothing the device said is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from engine.inventory import Host

# Device error text per platform; `default` applies to every platform.
ERROR_PATTERNS: dict[str, tuple[str, ...]] = {
    "default": (
        r"% ?Invalid input",
        r"% ?Incomplete command",
        r"% ?Ambiguous command",
        r"% ?Unknown command",
        r"% ?Bad (?:IP address|mask|secret)",
        r"% ?Error",
    ),
    "cisco_nxos": (r"% ?Invalid command",),
    "juniper_junos": (r"^error: ", r"syntax error"),
    "arista_eos": (r"% ?Invalid input",),
}


def error_pattern(platform: str, extra: Sequence[str] = ()) -> re.Pattern[str]:
    """One compiled regex matching any device error text for `platform`."""
    parts = (*ERROR_PATTERNS["default"], *ERROR_PATTERNS.get(platform, ()), *extra)
    return re.compile("|".join(f"(?:{p})" for p in parts), re.MULTILINE)


def find_error(text: str, pattern: re.Pattern[str]) -> str | None:
    """The device's error line in `text`, if any."""
    match = pattern.search(text)
    if match is None:
        return None
    start = text.rfind("\n", 0, match.start()) + 1
    end = text.find("\n", match.end())
    return text[start : end if end != -1 else len(text)].strip()


@dataclass(frozen=True)
class ConnectionSettings:
    """Timeouts and policies shared by every session of a run."""

    connect_timeout: float = 10.0
    command_timeout: float = 30.0
    fast_cli: bool = True


@dataclass(frozen=True)
class Reply:
    """What the device answered; `error` holds its error line when it refused something."""

    output: str
    error: str | None = None


class Driver(Protocol):
    """One session to one device. Not shared between threads at the same time."""

    @property
    def prompt(self) -> str | None:
        """The device prompt (`R1#`) once open."""

    def open(self) -> None:
        """Connect, log in, enter enable mode when a secret is given."""

    def send(self, command: str, *, timeout: float | None = None) -> Reply:
        """Run one exec-mode command and return its output."""

    def configure(self, lines: Sequence[str], *, timeout: float | None = None) -> Reply:
        """Enter config mode, send lines until one is refused, leave config mode."""

    def close(self) -> None:
        """Leave the session; never raises."""


DriverFactory = Callable[[Host, ConnectionSettings], Driver]


def netmiko_factory(host: Host, settings: ConnectionSettings) -> Driver:
    """The default driver. Imported lazily: `validate` and `--help` never load netmiko."""
    from engine.drivers.netmiko import NetmikoDriver

    return NetmikoDriver(host, settings)
