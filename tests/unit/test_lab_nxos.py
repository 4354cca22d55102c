"""The lab's Cisco NX-OS personality, line by line (no SSH)."""

from __future__ import annotations

import pytest
from ntc_templates.parse import parse_output

from engine.lab.device import Device, DeviceSpec
from engine.lab.knobs import LabKnobs
from engine.lab.lab import build_devices
from engine.lab.personalities import open_session
from engine.lab.switch_session import SwitchSession


def switch(name: str = "nx1", **knobs: object) -> Device:
    spec = DeviceSpec(
        name, "admin", "pw", platform="cisco_nxos", knobs=LabKnobs.from_mapping(knobs)
    )
    return Device(spec)


def login(device: Device | None = None, *lines: str) -> SwitchSession:
    session = open_session(device or switch(), "admin")
    assert isinstance(session, SwitchSession)
    for line in lines:
        session.handle(line)
    return session


def running(session: SwitchSession) -> str:
    return session.handle("show running-config").output


def test_a_login_lands_in_privileged_mode_after_the_banner() -> None:
    greeting = login().greeting()
    assert greeting.startswith("Cisco NX-OS Software\n")
    assert greeting.endswith("\nnx1# ")


def test_netmiko_session_preparation_is_accepted_silently() -> None:
    session = login()
    for line in ("terminal width 511", "terminal length 0"):
        assert session.handle(line).output == ""
    assert (session.terminal.length, session.terminal.width) == (0, 511)


@pytest.mark.parametrize(
    ("command", "field", "expected"),
    [
        ("show version", "platform", "C9300v"),
        ("show ip interface brief", "interface", "Eth1/1"),
        ("show interface brief", "interface", "mgmt0"),
        ("show interface status", "port", "mgmt0"),
        ("show clock", "timezone", "UTC"),
        ("show lldp neighbors", "local_interface", "mgmt0"),
        ("show vlan", "vlan_id", "1"),
    ],
)
def test_show_commands_parse_with_ntc_templates(command: str, field: str, expected: str) -> None:
    output = login().handle(command).output
    records = parse_output(platform="cisco_nxos", command=command, data=output)
    assert records and records[0][field] == expected


def test_show_version_carries_the_device_identity() -> None:
    device = switch()
    output = login(device).handle("sh ver").output
    [record] = parse_output(platform="cisco_nxos", command="show version", data=output)
    assert (record["hostname"], record["serial"]) == ("nx1", device.identity.serial)


def test_lldp_shows_an_eos_neighbour_by_its_own_port_name() -> None:
    nexus, _arista = build_devices([
        DeviceSpec("nx1", "admin", "pw", platform="cisco_nxos"),
        DeviceSpec("sw2", "admin", "pw", platform="arista_eos"),
    ])  # fmt: skip
    output = login(nexus).handle("show lldp neighbors").output
    records = parse_output(platform="cisco_nxos", command="show lldp neighbors", data=output)
    seen = {(r["local_interface"], r["neighbor_name"], r["neighbor_interface"]) for r in records}
    assert ("Eth1/1", "sw2", "Ethernet2") in seen


def test_configure_terminal_says_so_and_interface_mode_has_its_prompt() -> None:
    session = login()
    output = session.handle("conf t").output
    assert output == "Enter configuration commands, one per line. End with CNTL/Z.\n"
    assert session.prompt == "nx1(config)# "
    session.handle("int e1/3")
    assert session.prompt == "nx1(config-if)# "
    session.handle("description to server")
    session.handle("vlan 30")
    assert session.prompt == "nx1(config-vlan)# "
    session.handle("name WEB")
    session.handle("interface loopback 7")
    session.handle("ip address 10.7.7.7 255.255.255.255")
    session.handle("end")
    config = running(session)
    assert "interface Ethernet1/3\n  description to server\n" in config
    assert "vlan 30\n  name WEB\n" in config
    assert "interface loopback7\n  ip address 10.7.7.7/32\n" in config
    vlans = parse_output(
        platform="cisco_nxos", command="show vlan", data=session.handle("show vlan").output
    )
    assert {"vlan_id": "30", "vlan_name": "WEB", "status": "active", "interfaces": []} in vlans


def test_a_misspelt_keyword_gets_a_caret_under_it_and_is_not_stored() -> None:
    session = login(None, "configure terminal")
    before = running(session)
    reply = session.handle("hostnme nx9")
    assert reply.output == " " * len("nx1(config)# ") + "^\n% Invalid command at '^' marker.\n"
    reply = session.handle("ntp srver 10.1.1.1")
    assert reply.output.splitlines()[0] == " " * len("nx1(config)# ntp ") + "^"
    assert session.handle("ntp server").output.endswith("% Incomplete command at '^' marker.\n")
    assert running(session) == before


def test_an_unknown_show_is_marked_in_exec_mode_too() -> None:
    reply = login().handle("show nonsense")
    assert reply.output == " " * len("nx1# show ") + "^\n% Invalid command at '^' marker.\n"


def test_copy_running_config_shows_the_progress_bar_and_saves() -> None:
    session = login(None, "configure terminal", "hostname nx2", "end")
    output = session.handle("copy running-config startup-config").output
    assert output.startswith("[########################################] 100%\n")
    assert output.endswith("Copy complete.\n")
    assert "hostname nx2" in session.handle("show startup-config").output


def test_copy_works_from_configuration_mode_as_on_nxos() -> None:
    session = login(None, "configure terminal", "hostname nx3")
    assert session.handle("copy run start").output.endswith("Copy complete.\n")
    assert session.prompt == "nx3(config)# "


def test_shutting_a_port_shows_administratively_down() -> None:
    session = login(None, "configure terminal", "interface Ethernet1/3", "shutdown", "end")
    output = session.handle("show interface brief").output
    records = parse_output(platform="cisco_nxos", command="show interface brief", data=output)
    port = next(r for r in records if r["interface"] == "Eth1/3")
    assert (port["status"], port["reason"]) == ("down", "Administratively down")


def test_usernames_keep_a_hash_never_the_password() -> None:
    session = login(None, "configure terminal", "username ops password s3cr3t! role network-admin")
    config = running(session)
    assert "username ops password 5 $5$" in config and "role network-admin" in config
    assert "s3cr3t!" not in config


def test_the_reject_knob_marks_the_rejected_word() -> None:
    reply = login(switch(reject=["show clock"])).handle("sh clock")
    assert reply.output == " " * len("nx1# sh ") + "^\n% Invalid command at '^' marker.\n"
