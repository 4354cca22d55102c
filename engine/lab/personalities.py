"""Which simulated operating system answers a device's sessions.

Every personality offers the same small surface to the SSH server (`LabSession`): a
greeting, a prompt, one answer per line, and the keys IOS-like shells act on (`?`, Tab,
Ctrl-C, Ctrl-Z). A platform without its own personality is served by IOS's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from engine.lab import eos, nxos
from engine.lab.assist import complete, help_text
from engine.lab.cli import Reply, Session
from engine.lab.device import Device
from engine.lab.iosxr import IosXrSession
from engine.lab.junos import JunosSession
from engine.lab.terminal import TerminalSettings


class LabSession(Protocol):
    """One login on a simulated device, whatever its operating system."""

    terminal: TerminalSettings

    @property
    def prompt(self) -> str:
        """The prompt to show now; empty while the device waits for an answer."""

    @property
    def configuring(self) -> bool:
        """Whether Ctrl-Z leaves a configuration mode (outside one it does nothing)."""

    @property
    def asking(self) -> bool:
        """Whether the next line answers a question (no help or completion then)."""

    def greeting(self) -> str:
        """What the device prints when the session opens, prompt included."""

    def handle(self, line: str) -> Reply:
        """Answer one line of input."""

    def interrupt(self) -> None:
        """Ctrl-C, or Ctrl-Z in a configuration mode."""

    def help(self, text: str) -> str:
        """What `?` typed after `text` lists (lines end with a newline)."""

    def complete(self, text: str) -> str | None:
        """`text` with its last word completed, or None when it is not unique."""


class IosSession(Session):
    """IOS, whose help and completion live beside its grammar (engine.lab.assist)."""

    def help(self, text: str) -> str:
        return help_text(self, text)

    def complete(self, text: str) -> str | None:
        return complete(self, text)


SessionFactory = Callable[[Device, str | None], LabSession]

# Platform (netmiko device type) -> personality. Add a platform as one line here.
PERSONALITIES: dict[str, SessionFactory] = {
    "cisco_ios": IosSession,
    "cisco_xe": IosSession,
    "arista_eos": eos.session,
    "cisco_nxos": nxos.session,
    "cisco_xr": IosXrSession,
    "juniper_junos": JunosSession,
}


def open_session(device: Device, username: str | None) -> LabSession:
    """A new session on `device`, answered by its platform's personality."""
    factory = PERSONALITIES.get(device.spec.platform, IosSession)
    return factory(device, username)
