"""Show outputs: each device looks like itself, deterministically, and parses like real IOS."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from ntc_templates.parse import parse_output

from engine.lab import DeviceSpec
from engine.lab.cli import Session
from engine.lab.device import Device
from engine.lab.identity import derive, hostname_for
from engine.lab.lab import build_devices
from engine.lab.render_show import format_uptime

if TYPE_CHECKING:
    from conftest import Console

PARSED_COMMANDS = [
    "show version",
    "show ip interface brief",
    "show ip interface",
    "show interfaces",
    "show interfaces description",
    "show interfaces status",
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
    "show lldp neighbors",
    "show ip ospf neighbor",
    "show ip bgp summary",
    "show processes cpu",
]
# What the lab is given first, so that every command above has something to list.
SETUP = {
    "R1": ("lldp run", "interface gi1/3", "switchport mode trunk", "ip access-list extended WEB",
           "permit tcp any host 10.1.1.1 eq 443", "router bgp 65001",
           "neighbor 172.16.0.2 remote-as 65002", "network 10.255.0.1 mask 255.255.255.255"),
    "R2": ("lldp run", "router bgp 65002", "neighbor 172.16.0.1 remote-as 65001"),
}  # fmt: skip


def output(device: Device, command: str) -> str:
    cli = Session(device)
    cli.handle("enable")
    if device.spec.secret is not None:
        cli.handle(device.spec.secret)
    return cli.handle(command).output


@pytest.fixture(scope="module")
def lab_devices(console_on: Callable[[Device], Console]) -> list[Device]:
    specs = [DeviceSpec(f"R{n}", "admin", "pw", address=f"192.168.100.{n}") for n in (1, 2, 3)]
    devices = build_devices(specs)
    for device in devices:
        console_on(device).configure(*SETUP.get(device.spec.name, ()))
    return devices


@pytest.mark.parametrize("command", PARSED_COMMANDS)
def test_output_parses_with_ntc_templates(lab_devices: list[Device], command: str) -> None:
    records = parse_output(
        platform="cisco_ios", command=command, data=output(lab_devices[0], command)
    )
    assert records


def test_the_same_inventory_gives_the_same_identity() -> None:
    assert derive("R1", "192.168.100.1") == derive("R1", "192.168.100.1")


def test_devices_differ_in_serial_mac_and_addresses(lab_devices: list[Device]) -> None:
    first, second = (d.identity for d in lab_devices[:2])
    assert first.serial != second.serial
    assert first.mac(0) != second.mac(0)
    assert first.management != second.management


def test_an_ipv4_inventory_address_is_the_management_address(lab_devices: list[Device]) -> None:
    version = output(lab_devices[1], "show ip interface brief")
    assert "GigabitEthernet0/0     192.168.100.2" in version


def test_a_host_named_by_address_gets_a_valid_hostname() -> None:
    assert hostname_for("192.168.100.1") == "sw-192-168-100-1"
    assert hostname_for("core-1.lab") == "core-1.lab"


def test_show_version_names_the_host_and_its_serial(lab_devices: list[Device]) -> None:
    record = parse_output(
        platform="cisco_ios", command="show version", data=output(lab_devices[2], "show version")
    )[0]
    assert record["hostname"] == "R3"
    assert record["serial"] == [lab_devices[2].identity.serial]
    assert record["version"] == "15.2(7)E4"


def test_show_interfaces_trunk_lists_each_trunk_in_its_four_tables(
    lab_devices: list[Device],
) -> None:
    rows = [line.split() for line in output(lab_devices[0], "show interfaces trunk").splitlines()]
    assert [row for row in rows if row[:1] == ["Gi1/3"]] == [
        ["Gi1/3", "on", "802.1q", "trunking", "1"],
        ["Gi1/3", "1-4094"],
        ["Gi1/3", "1,10,20"],
        ["Gi1/3", "1,10,20"],
    ]
    assert output(lab_devices[1], "show interfaces trunk") == ""


def test_lab_devices_are_cdp_neighbours_in_a_ring(lab_devices: list[Device]) -> None:
    records = parse_output(
        platform="cisco_ios",
        command="show cdp neighbors",
        data=output(lab_devices[0], "show cdp neighbors"),
    )
    seen = {(r["neighbor_name"], r["local_interface"]) for r in records}
    assert {("R2", "Gig 0/1"), ("R3", "Gig 0/2")} <= seen


def test_the_routing_table_groups_subnets_under_their_classful_network(
    lab_devices: list[Device],
) -> None:
    table = output(lab_devices[0], "show ip route")
    assert "Gateway of last resort is 192.168.100.254 to network 0.0.0.0" in table
    assert "S*    0.0.0.0/0 [1/0] via 192.168.100.254" in table
    assert "      192.168.100.0/24 is variably subnetted, 2 subnets, 2 masks" in table
    assert "L        192.168.100.1/32 is directly connected, GigabitEthernet0/0" in table


def test_a_static_route_to_an_unreachable_next_hop_is_not_installed() -> None:
    device = Device(DeviceSpec("R1", "admin", "pw", address="192.168.100.1"))
    cli = Session(device)
    for line in ("enable", "conf t", "ip route 172.31.0.0 255.255.0.0 10.99.99.1", "end"):
        cli.handle(line)
    assert "172.31.0.0" not in cli.handle("show ip route").output
    assert "172.31.0.0" in cli.handle("show running-config").output


def test_ping_fails_without_a_route() -> None:
    device = Device(DeviceSpec("R1", "admin", "pw", address="192.168.100.1"))
    cli = Session(device)
    for line in ("enable", "conf t", "no ip route 0.0.0.0 0.0.0.0", "end"):
        cli.handle(line)
    assert "Success rate is 0 percent (0/5)" in cli.handle("ping 8.8.8.8").output
    assert "Success rate is 100 percent" in cli.handle("ping 192.168.100.77").output


def test_uptime_leaves_out_units_that_are_zero() -> None:
    assert format_uptime(3 * 604800 + 6 * 86400 + 32 * 60) == "3 weeks, 6 days, 32 minutes"
    assert format_uptime(86400 + 3600 + 60) == "1 day, 1 hour, 1 minute"


def test_the_running_config_never_shows_passwords() -> None:
    device = Device(DeviceSpec("R1", "admin", "hunter2", secret="topsecret"))
    config = output(device, "show running-config")
    assert "hunter2" not in config and "topsecret" not in config
    assert "username admin secret 9 $9$" in config
