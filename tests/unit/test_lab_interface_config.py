"""Interface configuration mode: what IOS accepts, refuses and stores for an interface."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Console

INVALID = "% Invalid input detected at '^' marker."


def block(console: Console, name: str) -> str:
    """`show running-config interface NAME`, without its header."""
    output = console.send(f"show running-config interface {name}")
    return output[output.index(f"interface {name}") :]


def test_ip_address_sets_the_interface_address(console: Console) -> None:
    console.configure("interface gi0/2", "ip address 10.1.2.1 255.255.255.0")
    assert " ip address 10.1.2.1 255.255.255.0\n" in block(console, "GigabitEthernet0/2")
    assert "GigabitEthernet0/2     10.1.2.1        YES manual up" in console.send("sh ip int br")


def test_a_network_address_is_a_bad_mask(console: Console) -> None:
    output = console.configure("interface gi0/2", "ip address 10.1.2.0 255.255.255.0")
    assert output == "Bad mask /24 for address 10.1.2.0\n"
    assert " no ip address\n" in block(console, "GigabitEthernet0/2")


def test_an_address_overlapping_another_interface_is_refused(console: Console) -> None:
    output = console.configure("interface gi0/2", "ip address 192.168.100.7 255.255.255.0")
    assert output == "% 192.168.100.0 overlaps with GigabitEthernet0/0\n"


def test_layer_two_ports_take_no_ip_address(console: Console) -> None:
    assert INVALID in console.configure("interface gi1/0", "ip address 10.1.2.1 255.255.255.0")


def test_no_switchport_makes_a_routed_port_that_takes_an_address(console: Console) -> None:
    output = console.configure(
        "interface gi1/0", "no switchport", "ip address 10.1.2.1 255.255.255.0"
    )
    assert output == ""
    assert block(console, "GigabitEthernet1/0") == (
        "interface GigabitEthernet1/0\n no switchport\n ip address 10.1.2.1 255.255.255.0\n"
        " negotiation auto\nend\n"
    )


def test_switchport_again_drops_the_layer_three_settings(console: Console) -> None:
    console.configure("interface gi0/2", "ip address 10.1.2.1 255.255.255.0", "switchport")
    assert block(console, "GigabitEthernet0/2") == (
        "interface GigabitEthernet0/2\n description downlink\n negotiation auto\nend\n"
    )


def test_switchport_settings_on_a_routed_port_are_rejected(console: Console) -> None:
    assert console.configure("interface gi0/1", "switchport access vlan 10") == (
        "% Command rejected: GigabitEthernet0/1 is not a switching port.\n"
    )


def test_secondary_addresses_render_before_the_primary_and_no_ip_address_drops_all(
    console: Console,
) -> None:
    console.configure(
        "interface gi0/2", "ip address 10.1.2.1 255.255.255.0",
        "ip address 10.1.3.1 255.255.255.0 secondary",
    )  # fmt: skip
    assert " ip address 10.1.3.1 255.255.255.0 secondary\n ip address 10.1.2.1 255.255.255.0\n" in (
        block(console, "GigabitEthernet0/2")
    )
    console.configure("interface gi0/2", "no ip address")
    assert "ip address 10.1." not in block(console, "GigabitEthernet0/2")
    assert " no ip address\n" in block(console, "GigabitEthernet0/2")


def test_an_access_vlan_that_does_not_exist_is_created(console: Console) -> None:
    output = console.configure("interface gi1/3", "switchport access vlan 42")
    assert output == "% Access VLAN does not exist. Creating vlan 42\n"
    assert "\nvlan 42\n" in console.running
    assert "42   VLAN0042" in console.send("show vlan brief")


def test_trunk_allowed_vlans_are_added_and_removed_as_one_list(console: Console) -> None:
    console.configure(
        "interface gi1/3", "switchport mode trunk", "switchport trunk allowed vlan 10,20",
        "switchport trunk allowed vlan add 30-32", "switchport trunk allowed vlan remove 31",
    )  # fmt: skip
    assert " switchport trunk allowed vlan 10,20,30,32\n" in block(console, "GigabitEthernet1/3")
    console.configure("interface gi1/3", "switchport trunk allowed vlan all")
    assert "allowed" not in block(console, "GigabitEthernet1/3")


def test_default_interface_resets_every_line(console: Console) -> None:
    output = console.configure("default interface gi0/1")
    assert output == "Interface GigabitEthernet0/1 set to default configuration\n"
    assert block(console, "GigabitEthernet0/1") == (
        "interface GigabitEthernet0/1\n negotiation auto\nend\n"
    )


def test_interface_range_applies_each_line_to_every_interface(console: Console) -> None:
    console.send("configure terminal", "interface range gi1/0 - 2, gi0/3")
    assert console.prompt == "R1(config-if-range)#"
    console.send("description bulk", "end")
    described = [
        n
        for n in ("0/3", "1/0", "1/1", "1/2")
        if " description bulk\n" in block(console, f"GigabitEthernet{n}")
    ]
    assert described == ["0/3", "1/0", "1/1", "1/2"]
    assert " description bulk" not in block(console, "GigabitEthernet1/3")


def test_interface_range_of_hardware_the_device_lacks_is_invalid(console: Console) -> None:
    assert INVALID in console.configure("interface range gi0/1 - 9")


def test_loopbacks_are_created_and_removed_but_physical_ports_stay(console: Console) -> None:
    console.configure("interface loopback 7", "ip address 10.7.7.7 255.255.255.255")
    assert "Loopback7              10.7.7.7        YES manual up" in console.send("sh ip int br")
    assert console.configure("no interface gi0/1") == (
        "% Removal of physical interfaces is not permitted\n"
    )
    console.configure("no interface loopback7", "no interface loopback8")
    assert "Loopback7" not in console.running


def test_hardware_the_device_lacks_is_invalid(console: Console) -> None:
    assert INVALID in console.configure("interface gi9/9")


def test_ethernet_only_settings_are_invalid_on_a_loopback(console: Console) -> None:
    assert INVALID in console.configure("interface loopback0", "speed 100")
    assert INVALID in console.configure("interface loopback0", "switchport")


def test_a_channel_group_creates_its_port_channel(console: Console) -> None:
    output = console.configure("interface gi1/3", "channel-group 2 mode active")
    assert output == "Creating a port-channel interface Port-channel 2\n\n"
    assert "\ninterface Port-channel2\n no ip address\n" in console.running
    assert " channel-group 2 mode active\n" in block(console, "GigabitEthernet1/3")


def test_shutdown_is_logged_once_and_the_far_end_sees_its_link_go_down(ring: list[Console]) -> None:
    first, second = ring[0], ring[1]
    first.configure("interface gi0/1", "shutdown", "shutdown")
    log = first.send("show logging")
    assert log.count("Interface GigabitEthernet0/1, changed state to administratively down") == 1
    assert "GigabitEthernet0/2 is up, line protocol is down" not in second.send(
        "show interfaces gi0/2"
    )
    assert "GigabitEthernet0/2 is down, line protocol is down" in second.send(
        "show interfaces gi0/2"
    )
    assert "Interface GigabitEthernet0/2, changed state to down" in second.send("show logging")


def test_interfaces_render_by_type_loopbacks_first_and_vlans_last(console: Console) -> None:
    console.configure("interface vlan 10", "interface loopback 9", "interface port-channel 3")
    heads = [line for line in console.running.splitlines() if line.startswith("interface ")]
    assert heads[:3] == ["interface Loopback0", "interface Loopback9", "interface Port-channel3"]
    assert heads[-2:] == ["interface GigabitEthernet1/3", "interface Vlan10"]
