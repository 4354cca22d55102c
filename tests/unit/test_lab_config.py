"""Configuration mode changes the device state, and refuses what IOS refuses."""

from __future__ import annotations

import ipaddress

from engine.lab import DeviceSpec
from engine.lab.cli import Session
from engine.lab.device import Device


def configured(*lines: str) -> tuple[Device, str]:
    """A device after `lines` in config mode, and the answer to the last line."""
    device = Device(DeviceSpec("R1", "admin", "pw", address="192.168.100.1"))
    cli = Session(device)
    cli.handle("enable")
    cli.handle("configure terminal")
    output = ""
    for line in lines:
        output = cli.handle(line).output
    return device, output


def test_ip_address_sets_the_interface_address() -> None:
    device, _ = configured("interface gi0/2", "ip address 10.1.2.1 255.255.255.0")
    assert device.state.interfaces["GigabitEthernet0/2"].address == ipaddress.IPv4Interface(
        "10.1.2.1/24"
    )


def test_a_network_address_is_a_bad_mask() -> None:
    device, output = configured("interface gi0/2", "ip address 10.1.2.0 255.255.255.0")
    assert output == "Bad mask /24 for address 10.1.2.0\n"
    assert device.state.interfaces["GigabitEthernet0/2"].address is None


def test_an_address_overlapping_another_interface_is_refused() -> None:
    _, output = configured("interface gi0/2", "ip address 192.168.100.7 255.255.255.0")
    assert output == "% 192.168.100.0 overlaps with GigabitEthernet0/0\n"


def test_layer_two_ports_take_no_ip_address() -> None:
    _, output = configured("interface gi1/0", "ip address 10.1.2.1 255.255.255.0")
    assert "% Invalid input" in output


def test_no_switchport_makes_a_routed_port() -> None:
    device, output = configured(
        "interface gi1/0", "no switchport", "ip address 10.1.2.1 255.255.255.0"
    )
    assert output == ""
    assert not device.state.interfaces["GigabitEthernet1/0"].switchport


def test_an_access_vlan_that_does_not_exist_is_created() -> None:
    device, output = configured("interface gi1/3", "switchport access vlan 42")
    assert output == "% Access VLAN does not exist. Creating vlan 42\n"
    assert device.state.vlans[42] == "VLAN0042"
    assert device.state.interfaces["GigabitEthernet1/3"].access_vlan == 42


def test_vlan_mode_names_a_vlan_and_no_vlan_deletes_it() -> None:
    device, _ = configured("vlan 30", "name SERVERS", "exit")
    assert device.state.vlans[30] == "SERVERS"
    device, output = configured("no vlan 1")
    assert output == "%Default VLAN 1 may not be deleted.\n"


def test_loopbacks_are_created_and_removed_but_physical_ports_stay() -> None:
    device, _ = configured("interface loopback 7", "ip address 10.7.7.7 255.255.255.255", "exit")
    assert "Loopback7" in device.state.interfaces
    _, output = configured("no interface gi0/1")
    assert output == "% Removal of physical interfaces is not permitted\n"


def test_hardware_the_device_lacks_is_invalid() -> None:
    _, output = configured("interface gi9/9")
    assert "% Invalid input" in output


def test_static_routes_are_added_and_removed() -> None:
    device, _ = configured("ip route 172.16.0.0 255.255.0.0 192.168.100.9")
    assert [r.line for r in device.state.routes][
        -1
    ] == "ip route 172.16.0.0 255.255.0.0 192.168.100.9"
    device, _ = configured(
        "ip route 172.16.0.0 255.255.0.0 192.168.100.9", "no ip route 172.16.0.0 255.255.0.0"
    )
    assert all(r.prefix != ipaddress.IPv4Network("172.16.0.0/16") for r in device.state.routes)


def test_a_route_with_host_bits_set_is_inconsistent() -> None:
    _, output = configured("ip route 172.16.0.1 255.255.0.0 192.168.100.9")
    assert output == "%Inconsistent address and mask\n"


def test_logging_and_ntp_servers_are_added_once_and_removed() -> None:
    device, _ = configured(
        "logging host 10.0.0.5", "logging 10.0.0.5", "logging 10.0.0.6", "ntp server 10.0.0.9"
    )
    assert device.state.logging_hosts == ["10.0.0.5", "10.0.0.6"]
    assert device.state.ntp_servers == ["10.0.0.9"]
    device, _ = configured(
        "logging host 10.0.0.5",
        "no logging host 10.0.0.5",
        "ntp server 1.1.1.1",
        "no ntp server 1.1.1.1",
    )
    assert device.state.logging_hosts == []
    assert device.state.ntp_servers == []


def test_a_configured_user_can_log_in_and_a_removed_one_cannot() -> None:
    device, _ = configured("username ops privilege 15 secret 0 opspass")
    assert device.login_ok("ops", "opspass")
    device, _ = configured("no username admin")
    assert not device.login_ok("admin", "pw")


def test_a_privilege_15_user_starts_in_privileged_mode() -> None:
    device, _ = configured("username ops privilege 15 secret opspass")
    assert Session(device, "ops").prompt == "R1#"
    assert Session(device, "admin").prompt == "R1>"


def test_a_hashed_secret_never_matches_a_login() -> None:
    device, _ = configured("username ops secret 9 $9$abc$def")
    assert not device.login_ok("ops", "$9$abc$def")


def test_enable_secret_changes_what_enable_asks_for() -> None:
    device, _ = configured("enable secret newsecret", "end")
    cli = Session(device)
    cli.handle("enable")
    cli.handle("newsecret")
    assert cli.prompt == "R1#"


def test_line_sections_keep_their_lines() -> None:
    device, _ = configured("line vty 0 4", "exec-timeout 5 0", "no transport input ssh")
    assert device.state.sections["line vty 0 4"] == ["login local", "exec-timeout 5 0"]
