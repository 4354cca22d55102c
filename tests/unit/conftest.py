"""Consoles on simulated devices for unit tests: a privileged CLI session, line by line.

Tests take them as fixtures (`console`, `ring`, `consoles`, `console_on`); a test module
that names the `Console` type imports it for type checking only, as pytest imports test
modules by path.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ntc_templates.parse import parse_output

from engine.lab.cli import Reply, Session
from engine.lab.device import Device, DeviceSpec
from engine.lab.lab import build_devices


class Console:
    """A privileged session on a device, as an engineer at the keyboard would use it."""

    def __init__(self, device: Device) -> None:
        self.device = device
        self.session = Session(device, device.spec.username)
        self.send("enable", device.spec.secret or "")

    def send(self, *lines: str) -> str:
        """Send lines; the output of the last one."""
        reply = Reply()
        for line in lines:
            reply = self.session.handle(line)
        return reply.output

    def outputs(self, *lines: str) -> list[str]:
        """Send lines; the output of each."""
        return [self.session.handle(line).output for line in lines]

    def configure(self, *lines: str) -> str:
        """`configure terminal`, the lines, `end`; the outputs of the lines, joined."""
        self.send("configure terminal")
        output = "".join(self.outputs(*lines))
        self.send("end")
        return output

    def parsed(self, command: str) -> list[dict[str, str]]:
        """A show command's output as the ntc-templates `cisco_ios` template reads it."""
        records: list[dict[str, str]] = parse_output(
            platform="cisco_ios", command=command, data=self.send(command)
        )
        return records

    @property
    def prompt(self) -> str:
        return self.session.prompt

    @property
    def running(self) -> str:
        return self.device.running_text()


def spec(name: str = "R1", number: int = 1) -> DeviceSpec:
    return DeviceSpec(name, "admin", "pw", secret="en", address=f"192.168.100.{number}")


def lab_of(count: int) -> list[Console]:
    """Consoles on a new lab of `count` devices, R1 (192.168.100.1) onwards; alone, R1's
    two ring ports are cabled to each other."""
    if count == 1:
        return [Console(Device(spec()))]
    devices = build_devices([spec(f"R{n}", n) for n in range(1, count + 1)])
    return [Console(device) for device in devices]


@pytest.fixture
def console() -> Console:
    """A console on a lone device, R1 (192.168.100.1)."""
    return lab_of(1)[0]


@pytest.fixture
def ring() -> list[Console]:
    """Consoles on a lab of three devices, R1 to R3, cabled in a ring."""
    return lab_of(3)


@pytest.fixture(scope="session")
def consoles() -> Callable[[int], list[Console]]:
    """`consoles(n)`: consoles on a new lab of n devices."""
    return lab_of


@pytest.fixture(scope="session")
def console_on() -> Callable[[Device], Console]:
    """`console_on(device)`: one more session on a device (after a reload, say)."""
    return Console
