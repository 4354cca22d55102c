"""One consistent topology: what a device learns of its neighbours is what they are.

Every check reads the show commands of one device, parses them as a user would (ntc-
templates), and compares them with the show commands of the device at the other end.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import TYPE_CHECKING

from engine.lab.topology import wire

if TYPE_CHECKING:
    from conftest import Console


def by_hostname(ring: list[Console]) -> dict[str, Console]:
    return {console.device.state.hostname: console for console in ring}


def address_of(console: Console, interface: str) -> str:
    brief = console.parsed("show ip interface brief")
    return next(r["ip_address"] for r in brief if r["interface"] == interface)


def test_every_cdp_neighbour_sees_this_device_back_on_the_same_cable(ring: list[Console]) -> None:
    devices = by_hostname(ring)
    checked = 0
    for console in ring:
        me = console.device.state.hostname
        for entry in console.parsed("show cdp neighbors detail"):
            if entry["neighbor_name"] not in devices:
                continue  # the management switch is not a lab device
            peer = devices[entry["neighbor_name"]]
            back = {(r["neighbor_name"], r["local_interface"], r["neighbor_interface"])
                    for r in peer.parsed("show cdp neighbors detail")}  # fmt: skip
            assert (me, entry["neighbor_interface"], entry["local_interface"]) in back
            assert entry["mgmt_address"] == address_of(peer, entry["neighbor_interface"])
            checked += 1
    assert checked == 6  # two cables per device in a ring of three


def test_every_arp_entry_on_a_cable_is_the_far_end_s_own_address_and_mac(
    ring: list[Console],
) -> None:
    owners = {
        address_of(c, port): (c, port)
        for c in ring
        for port in ("GigabitEthernet0/1", "GigabitEthernet0/2")
    }
    learnt = [
        entry
        for console in ring
        for entry in console.parsed("show arp")
        if entry["age_min"] != "-" and entry["interface"] != "GigabitEthernet0/0"
    ]
    assert len(learnt) == 6
    for entry in learnt:
        peer, port = owners[entry["address"]]
        interface = peer.parsed(f"show interfaces {port}")[0]
        assert interface["mac_address"] == entry["hardware_address"]


def test_both_ends_of_a_cable_have_a_connected_route_to_the_same_subnet(
    ring: list[Console],
) -> None:
    for index, console in enumerate(ring):
        following = ring[(index + 1) % len(ring)]
        mine = {r["network"] for r in console.parsed("show ip route")
                if r["protocol"] == "C" and r["nexthop_if"] == "GigabitEthernet0/1"}  # fmt: skip
        theirs = {r["network"] for r in following.parsed("show ip route")
                  if r["protocol"] == "C" and r["nexthop_if"] == "GigabitEthernet0/2"}  # fmt: skip
        assert mine == theirs != set()


def test_ospf_neighbours_are_the_far_ends_router_ids_and_addresses(ring: list[Console]) -> None:
    ids = {c.device.wiring.loopback.compressed: c for c in ring}
    for console in ring:
        neighbours = console.parsed("show ip ospf neighbor")
        assert len(neighbours) == 2
        for entry in neighbours:
            peer = ids[entry["neighbor_id"]]
            assert entry["ip_address"] in {
                address_of(peer, p) for p in ("GigabitEthernet0/1", "GigabitEthernet0/2")
            }
            assert entry["state"].startswith("FULL/")


def test_shutting_one_end_takes_the_neighbour_away_on_both_sides(ring: list[Console]) -> None:
    first, second = ring[0], ring[1]
    first.configure("interface gi0/1", "shutdown")
    for console, port in ((first, "GigabitEthernet0/1"), (second, "GigabitEthernet0/2")):
        assert port not in {
            r["local_interface"] for r in console.parsed("show cdp neighbors detail")
        }
        assert port not in {r["interface"] for r in console.parsed("show ip ospf neighbor")}
        assert port not in {
            r["interface"] for r in console.parsed("show arp") if r["age_min"] != "-"
        }


def test_lldp_lists_a_neighbour_only_where_both_ends_run_it(ring: list[Console]) -> None:
    first, second, _third = ring
    assert first.send("show lldp neighbors") == "% LLDP is not enabled\n"
    first.configure("lldp run")
    ports = {r["local_interface"] for r in first.parsed("show lldp neighbors")}
    assert ports == {"Gi0/0"}  # only the management switch answers so far
    second.configure("lldp run")
    seen = {(r["neighbor_name"], r["local_interface"]) for r in first.parsed("show lldp neighbors")}
    assert ("R2", "Gi0/1") in seen
    assert {port for _, port in seen} == {"Gi0/0", "Gi0/1"}  # R3, on Gi0/2, runs no LLDP


def test_a_hostname_change_is_what_the_neighbours_see(ring: list[Console]) -> None:
    ring[1].configure("hostname CORE-2", "ip domain-name lab.example")
    assert "CORE-2.lab.example" in {
        r["neighbor_name"] for r in ring[0].parsed("show cdp neighbors detail")
    }


def test_a_lone_device_s_two_ring_ports_are_cabled_to_each_other(console: Console) -> None:
    entries = {(r["neighbor_name"], r["local_interface"], r["neighbor_interface"])
               for r in console.parsed("show cdp neighbors detail")}  # fmt: skip
    assert ("R1", "GigabitEthernet0/1", "GigabitEthernet0/2") in entries
    assert ("R1", "GigabitEthernet0/2", "GigabitEthernet0/1") in entries


def test_cable_addresses_keep_clear_of_the_management_networks(console: Console) -> None:
    identity = console.device.identity
    clash = dataclasses.replace(identity, management=ipaddress.IPv4Interface("172.16.0.5/24"))
    wiring = wire([clash, identity])
    addresses = [c.address for w in wiring for c in w.cables if c.address is not None]
    assert addresses
    assert not any(a.ip in ipaddress.IPv4Network("172.16.0.0/12") for a in addresses)
