"""The routing table: connected, static, OSPF and BGP routes, as both ends' config decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Console


def routes(console: Console, protocol: str) -> dict[str, list[tuple[str, str, str]]]:
    """`show ip route`, parsed: prefix -> [(metric, next hop, interface)] for one protocol."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for r in console.parsed("show ip route"):
        if r["protocol"] == protocol:
            prefix = f"{r['network']}/{r['prefix_length']}"
            found.setdefault(prefix, []).append((r["metric"], r["nexthop_ip"], r["nexthop_if"]))
    return found


def test_ospf_reaches_every_loopback_of_the_ring_by_its_cost(ring: list[Console]) -> None:
    learnt = routes(ring[0], "O")
    assert learnt["10.255.0.2/32"] == [("2", "172.16.0.2", "GigabitEthernet0/1")]
    assert learnt["10.255.0.3/32"] == [("2", "172.16.0.9", "GigabitEthernet0/2")]


def test_equal_cost_paths_are_all_installed(ring: list[Console]) -> None:
    assert sorted(routes(ring[0], "O")["172.16.0.4/30"]) == [
        ("2", "172.16.0.2", "GigabitEthernet0/1"),
        ("2", "172.16.0.9", "GigabitEthernet0/2"),
    ]


def test_an_interface_cost_changes_the_path(ring: list[Console]) -> None:
    ring[0].configure("interface gi0/2", "ip ospf cost 10")
    assert routes(ring[0], "O")["10.255.0.3/32"] == [("3", "172.16.0.2", "GigabitEthernet0/1")]


def test_a_passive_interface_at_one_end_drops_the_adjacency_at_both(ring: list[Console]) -> None:
    ring[1].configure("router ospf 1", "passive-interface gi0/2")
    assert "GigabitEthernet0/1" not in ring[0].send("show ip ospf neighbor")
    assert "GigabitEthernet0/2" not in ring[1].send("show ip ospf neighbor")
    assert routes(ring[0], "O")["10.255.0.2/32"] == [("3", "172.16.0.9", "GigabitEthernet0/2")]


def test_without_ospf_there_are_no_neighbours_and_no_learnt_routes(console: Console) -> None:
    console.configure("no router ospf 1")
    assert console.send("show ip ospf neighbor") == ""
    assert routes(console, "O") == {}


def bgp_pair(consoles: Callable[[int], list[Console]]) -> tuple[Console, Console]:
    first, second = consoles(2)
    first.configure(
        "router bgp 65001", "neighbor 172.16.0.2 remote-as 65002",
        "network 10.255.0.1 mask 255.255.255.255",
    )  # fmt: skip
    return first, second


def test_a_bgp_session_waits_until_the_peer_is_configured_to_match(
    consoles: Callable[[int], list[Console]],
) -> None:
    first, second = bgp_pair(consoles)
    summary = first.parsed("show ip bgp summary")
    assert [(r["bgp_neighbor"], r["state_or_prefixes_received"]) for r in summary] == [
        ("172.16.0.2", "Active")
    ]
    second.configure("router bgp 65002", "neighbor 172.16.0.1 remote-as 65009")
    assert "Active" in first.send("show ip bgp summary")  # the AS does not match


def test_a_matching_bgp_session_is_established_and_exchanges_networks(
    consoles: Callable[[int], list[Console]],
) -> None:
    first, second = bgp_pair(consoles)
    second.configure(
        "router bgp 65002", "neighbor 172.16.0.1 remote-as 65001",
        "network 10.255.0.2 mask 255.255.255.255",
    )  # fmt: skip
    summary = first.parsed("show ip bgp summary")
    assert [(r["router_id"], r["local_as"], r["state_or_prefixes_received"]) for r in summary] == [
        ("10.255.0.1", "65001", "1")
    ]
    assert routes(first, "B") == {"10.255.0.2/32": [("0", "172.16.0.2", "")]}
    assert routes(second, "B") == {"10.255.0.1/32": [("0", "172.16.0.1", "")]}


def test_without_bgp_the_summary_says_it_is_not_active(console: Console) -> None:
    assert console.send("show ip bgp summary") == "% BGP not active\n\n"


def test_a_static_route_with_a_higher_distance_loses_to_ospf(ring: list[Console]) -> None:
    ring[0].configure("ip route 10.255.0.2 255.255.255.255 192.168.100.99 250")
    assert "10.255.0.2/32" not in routes(ring[0], "S")
    ring[0].configure("ip route 10.255.0.2 255.255.255.255 192.168.100.99 5")
    assert routes(ring[0], "S")["10.255.0.2/32"] == [("0", "192.168.100.99", "")]
