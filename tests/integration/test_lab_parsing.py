"""Outputs fetched over real SSH parse with the ntc-templates TextFSM templates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from netmiko import BaseConnection, ConnectHandler
from ntc_templates.parse import parse_output

from engine.lab import DeviceSpec, Lab

pytestmark = pytest.mark.lab

COMMANDS = [
    "show version",
    "show ip interface brief",
    "show ip interface",
    "show interfaces",
    "show interfaces description",
    "show interfaces status",
    "show running-config",
    "show ip route",
    "show clock",
    "show cdp neighbors",
    "show cdp neighbors detail",
    "show vlan brief",
    "show vlan",
    "show arp",
    "show ip arp",
    "show inventory",
    "ping 192.168.100.254",
]
# ntc-templates has no template for the whole running configuration.
UNPARSED = {"show running-config"}


@pytest.fixture(scope="module")
def session() -> Iterator[BaseConnection]:
    specs = [
        DeviceSpec(f"R{n}", "admin", "pw", secret="en", address=f"192.168.100.{n}") for n in (1, 2)
    ]
    with Lab(specs) as lab:
        host, port = lab.endpoint("R1")
        conn = ConnectHandler(
            device_type="cisco_ios",
            host=host,
            port=port,
            username="admin",
            password="pw",
            secret="en",
        )
        conn.enable()
        yield conn
        conn.disconnect()


@pytest.mark.parametrize("command", COMMANDS)
def test_output_over_ssh_parses_into_records(session: BaseConnection, command: str) -> None:
    output = session.send_command(command)
    assert output.strip()
    if command in UNPARSED:
        assert "hostname R1" in output
        return
    records = parse_output(platform="cisco_ios", command=command, data=output)
    assert records, output
