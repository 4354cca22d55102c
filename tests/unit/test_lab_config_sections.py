"""VLAN, line, routing-process and archive modes: their blocks and what IOS keeps in them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Console


def test_a_vlan_list_opens_every_vlan_and_names_them(console: Console) -> None:
    console.send("configure terminal", "vlan 30,40-41")
    assert console.prompt == "R1(config-vlan)#"
    console.send("name SERVERS", "end")
    assert "\nvlan 30\n name SERVERS\n!\nvlan 40\n name SERVERS\n!\nvlan 41\n" in console.running


def test_a_vlan_named_its_default_name_shows_no_name(console: Console) -> None:
    console.configure("vlan 50", "name VLAN0050")
    assert "\nvlan 50\n!\n" in console.running


def test_the_default_vlan_cannot_be_deleted_but_others_can(console: Console) -> None:
    assert console.configure("no vlan 1") == "%Default VLAN 1 may not be deleted.\n"
    console.configure("no vlan 20")
    assert "VOICE" not in console.running


def test_line_vty_0_15_configures_both_blocks_ios_keeps(console: Console) -> None:
    console.configure("line vty 0 15", "exec-timeout 5", "transport input ssh telnet")
    assert "\nline vty 0 4\n exec-timeout 5 0\n login local\n transport input ssh telnet\n" in (
        console.running
    )
    assert "\nline vty 5 15\n exec-timeout 5 0\n transport input ssh telnet\n" in console.running


def test_a_line_password_is_never_shown(console: Console) -> None:
    console.configure("line con 0", "password letmein")
    assert "letmein" not in console.running
    assert "\nline con 0\n password 7 " in console.running


def test_ospf_networks_are_masked_and_passive_default_keeps_the_exceptions(
    console: Console,
) -> None:
    console.configure(
        "router ospf 1", "network 10.1.1.77 0.0.0.255 area 0", "passive-interface default",
        "no passive-interface gi0/1", "no passive-interface gi0/1",
    )  # fmt: skip
    assert " network 10.1.1.0 0.0.0.255 area 0\n" in console.running
    assert " passive-interface default\n no passive-interface GigabitEthernet0/1\n" in (
        console.running
    )


def test_bgp_neighbor_settings_need_remote_as_first(console: Console) -> None:
    console.send("configure terminal", "router bgp 65001")
    assert console.send("neighbor 10.0.0.2 description peer") == (
        "% Specify remote-as or peer-group commands first\n"
    )
    console.send("neighbor 10.0.0.2 remote-as 65002", "neighbor 10.0.0.2 description peer", "end")
    assert (
        "\nrouter bgp 65001\n bgp log-neighbor-changes\n neighbor 10.0.0.2 remote-as 65002\n"
        " neighbor 10.0.0.2 description peer\n"
    ) in console.running


def test_no_neighbor_removes_every_line_of_that_neighbor(console: Console) -> None:
    console.configure(
        "router bgp 65001", "neighbor 10.0.0.2 remote-as 65002",
        "neighbor 10.0.0.2 description peer", "no neighbor 10.0.0.2",
    )  # fmt: skip
    assert "10.0.0.2" not in console.running


def test_a_second_bgp_process_is_refused(console: Console) -> None:
    output = console.configure("router bgp 65001", "router bgp 65002")
    assert output == "BGP is already running; AS is 65001\n\n"


def test_archive_has_its_own_mode(console: Console) -> None:
    console.send("configure terminal", "archive")
    assert console.prompt == "R1(config-archive)#"
    console.send("path flash:backup", "write-memory", "end")
    assert "\narchive\n path flash:backup\n write-memory\n" in console.running
