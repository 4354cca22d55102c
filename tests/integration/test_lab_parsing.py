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
    "show logging",
    "show spanning-tree",
    "show mac address-table",
    "show access-lists",
    "show ip access-lists",
    "show lldp neighbors",
    "show ip ospf neighbor",
    "show ip bgp summary",
    "show processes cpu",
    "show interfaces trunk",
]
# ntc-templates has no template for these; they are checked line by line.
UNPARSED = {"show running-config", "show interfaces trunk"}
# The config each device gets first, so that every command has something to list.
SETUP = {
    "R1": ["lldp run", "interface gi1/3", "switchport mode trunk", "ip access-list extended WEB",
           "permit tcp any host 10.1.1.1 eq 443", "router bgp 65001",
           "neighbor 172.16.0.2 remote-as 65002", "network 10.255.0.1 mask 255.255.255.255"],
    "R2": ["lldp run", "router bgp 65002", "neighbor 172.16.0.1 remote-as 65001"],
}  # fmt: skip


def connect(lab: Lab, name: str) -> BaseConnection:
    host, port = lab.endpoint(name)
    conn = ConnectHandler(
        device_type="cisco_ios",
        host=host,
        port=port,
        username="admin",
        password="pw",
        secret="en",
    )
    conn.enable()
    return conn


@pytest.fixture(scope="module")
def session() -> Iterator[BaseConnection]:
    specs = [
        DeviceSpec(f"R{n}", "admin", "pw", secret="en", address=f"192.168.100.{n}") for n in (1, 2)
    ]
    with Lab(specs) as lab:
        peer = connect(lab, "R2")
        peer.send_config_set(SETUP["R2"])
        peer.disconnect()
        conn = connect(lab, "R1")
        conn.send_config_set(SETUP["R1"])
        yield conn
        conn.disconnect()


@pytest.mark.parametrize("command", COMMANDS)
def test_output_over_ssh_parses_into_records(session: BaseConnection, command: str) -> None:
    output = session.send_command(command)
    assert output.strip()
    if command in UNPARSED:
        assert "hostname R1" in output or "Gi1/3       on               802.1q" in output
        return
    records = parse_output(platform="cisco_ios", command=command, data=output)
    assert records, output


def test_the_bgp_session_configured_at_both_ends_is_established(session: BaseConnection) -> None:
    output = session.send_command("show ip bgp summary")
    records = parse_output(platform="cisco_ios", command="show ip bgp summary", data=output)
    assert [(r["bgp_neighbor"], r["state_or_prefixes_received"]) for r in records] == [
        ("172.16.0.2", "0")
    ]
