"""The lab's Arista EOS personality, line by line (no SSH)."""

from __future__ import annotations

import pytest
from ntc_templates.parse import parse_output

from engine.lab.device import Device, DeviceSpec
from engine.lab.knobs import LabKnobs
from engine.lab.lab import build_devices
from engine.lab.personalities import open_session
from engine.lab.switch_session import SwitchSession


def switch(name: str = "sw1", secret: str | None = None, **knobs: object) -> Device:
    spec = DeviceSpec(name, "admin", "pw", secret=secret, platform="arista_eos",
                      knobs=LabKnobs.from_mapping(knobs))  # fmt: skip
    return Device(spec)


def login(device: Device, *lines: str) -> SwitchSession:
    session = open_session(device, "admin")
    assert isinstance(session, SwitchSession)
    for line in lines:
        session.handle(line)
    return session


def enabled(device: Device | None = None, *lines: str) -> SwitchSession:
    return login(device or switch(), "enable", *lines)


def running(session: SwitchSession) -> str:
    return session.handle("show running-config").output


def test_a_login_starts_in_user_mode_and_enable_reaches_privileged_mode() -> None:
    session = login(switch())
    assert session.greeting().endswith("sw1>")
    session.handle("enable")
    assert session.prompt == "sw1#"


def test_enable_asks_for_the_secret_and_refuses_a_wrong_one_without_echo() -> None:
    session = login(switch(secret="en"))
    assert session.handle("enable").output == "Password: "
    for _ in range(3):
        reply = session.handle("nope")
        assert not reply.echo and "nope" not in reply.output
    assert "% Access denied" in reply.output
    assert session.prompt == "sw1>"
    session.handle("enable")
    session.handle("en")
    assert session.prompt == "sw1#"


def test_netmiko_session_preparation_gets_the_answers_it_waits_for() -> None:
    session = login(switch())
    assert session.handle("terminal width 511").output == "Width set to 511 columns.\n"
    assert session.handle("terminal length 0").output == "Pagination disabled.\n"
    assert (session.terminal.length, session.terminal.width) == (0, 511)


def test_user_mode_refuses_configuration_as_eos_does() -> None:
    session = login(switch())
    assert session.handle("configure").output == "% Invalid input (privileged mode required)\n"
    assert session.prompt == "sw1>"


@pytest.mark.parametrize(
    ("command", "field", "expected"),
    [
        ("show version", "model", "vEOS-lab"),
        ("show ip interface brief", "interface", "Ethernet1"),
        ("show interfaces status", "port", "Et1"),
        ("show clock", "timezone", "UTC"),
        ("show lldp neighbors", "local_interface", "Et1"),
        ("show vlan", "vlan_id", "1"),
    ],
)
def test_show_commands_parse_with_ntc_templates(command: str, field: str, expected: str) -> None:
    output = enabled().handle(command).output
    records = parse_output(platform="arista_eos", command=command, data=output)
    assert records and records[0][field] == expected


def test_show_version_carries_the_device_identity() -> None:
    device = switch()
    output = enabled(device).handle("sh ver").output
    [record] = parse_output(platform="arista_eos", command="show version", data=output)
    assert record["serial_number"] == device.identity.serial
    assert record["sys_mac"] == device.identity.mac(0)


def test_lldp_shows_the_lab_neighbour_on_each_ring_port() -> None:
    first, _second = build_devices(
        [DeviceSpec(n, "admin", "pw", platform="arista_eos") for n in ("sw1", "sw2")]
    )
    output = enabled(first).handle("show lldp neighbors").output
    records = parse_output(platform="arista_eos", command="show lldp neighbors", data=output)
    seen = {(r["local_interface"], r["neighbor_name"], r["neighbor_interface"]) for r in records}
    assert {("Et1", "sw2", "Ethernet2"), ("Et2", "sw2", "Ethernet1")} <= seen


def test_shutting_the_far_port_takes_the_link_down() -> None:
    first, second = build_devices(
        [DeviceSpec(n, "admin", "pw", platform="arista_eos") for n in ("sw1", "sw2")]
    )
    enabled(second, "configure", "interface Ethernet2", "shutdown", "end")
    output = enabled(first).handle("show interfaces status").output
    assert "notconnect" in next(line for line in output.splitlines() if line.startswith("Et1 "))


def test_configuration_is_stored_canonically_and_shown_in_the_running_config() -> None:
    session = enabled(switch(), "conf t", "hostname leaf1", "int et3", "desc to server")
    assert session.prompt == "leaf1(config-if-Et3)#"
    session.handle("vlan 30")
    assert session.prompt == "leaf1(config-vlan-30)#"
    session.handle("name WEB")
    session.handle("interface Ethernet 6")
    session.handle("no switchport")
    session.handle("ip address 10.9.9.1 255.255.255.0")
    session.handle("end")
    config = running(session)
    assert "hostname leaf1\n" in config
    assert "interface Ethernet3\n   description to server\n" in config
    assert "vlan 30\n   name WEB\n" in config
    assert "interface Ethernet6\n   no switchport\n   ip address 10.9.9.1/24\n" in config


def test_no_forms_remove_what_they_name() -> None:
    session = enabled(switch(), "configure", "ntp server 10.0.0.1", "ntp server 10.0.0.2")
    session.handle("no ntp server 10.0.0.1")
    session.handle("interface Ethernet1")
    session.handle("no description")
    session.handle("switchport")
    config = running(session)
    assert "ntp server 10.0.0.2" in config and "10.0.0.1" not in config
    assert "description uplink" not in config
    assert "interface Ethernet1\n   ip address" in config


def test_a_misspelt_keyword_is_refused_with_its_token_and_not_stored() -> None:
    session = enabled(switch(), "configure")
    before = running(session)
    reply = session.handle("hostnme leaf9")
    assert reply.output == "% Invalid input (at token 0: 'hostnme')\n"
    assert session.handle("vlan 5000").output == "% Invalid input (at token 1: '5000')\n"
    assert session.handle("ntp server").output == "% Incomplete command\n"
    assert running(session) == before


def test_an_abbreviation_of_two_keywords_is_ambiguous() -> None:
    session = enabled(switch(), "configure", "interface Ethernet3")
    assert session.handle("sh").output == "% Ambiguous command\n"
    assert "shutdown" not in running(session).split("interface Ethernet3")[1].split("!")[0]


def test_show_commands_work_in_configuration_mode_with_pipes() -> None:
    session = enabled(switch(), "configure", "interface Ethernet3")
    output = session.handle("show running-config | section Ethernet3").output
    assert output == "interface Ethernet3\n   switchport access vlan 10\n"
    assert session.handle("do show running-config | include hostname").output == "hostname sw1\n"


def test_the_configuration_outlives_the_session() -> None:
    device = switch()
    enabled(device, "configure", "logging host 10.1.1.1", "end", "exit")
    assert "logging host 10.1.1.1" in running(enabled(device))


def test_saving_copies_the_running_config_to_startup() -> None:
    session = enabled(switch(), "configure", "hostname saved1", "end")
    assert "hostname sw1" in session.handle("show startup-config").output
    assert session.handle("copy running-config startup-config").output == (
        "Copy completed successfully.\n"
    )
    assert "hostname saved1" in session.handle("show startup-config").output
    assert session.handle("write memory").output == "Copy completed successfully.\n"


def test_usernames_keep_a_hash_never_the_password() -> None:
    session = enabled(switch(), "configure", "username ops privilege 15 secret s3cr3t!")
    config = running(session)
    assert "username ops privilege 15 secret sha512 $6$" in config
    assert "s3cr3t!" not in config and "secret pw" not in config


def test_a_config_session_holds_changes_apart_until_commit() -> None:
    session = enabled(switch(), "configure session change1", "hostname staged")
    assert session.prompt == "sw1(config-s-change)#"
    session.handle("interface Et3")
    assert session.prompt == "sw1(config-s-change-if-Et3)#"
    diffs = session.handle("show session-config diffs").output
    assert "-hostname sw1\n+hostname staged\n" in diffs
    assert "hostname staged" not in running(session)
    session.handle("commit")
    assert session.prompt == "staged#"
    assert "hostname staged" in running(session)


def test_an_aborted_config_session_changes_nothing() -> None:
    session = enabled(switch(), "configure session try", "ntp server 10.2.2.2")
    session.handle("abort")
    assert session.prompt == "sw1#"
    assert "10.2.2.2" not in running(session)


def test_commit_outside_a_config_session_is_an_error() -> None:
    session = enabled(switch(), "configure")
    assert session.handle("commit").output == "% Not in a configuration session\n"


def test_the_reject_knob_makes_a_command_unknown() -> None:
    session = enabled(switch(reject=["ntp server"]), "configure")
    assert session.handle("ntp serv 10.3.3.3").output.startswith("% Invalid input")
    assert "10.3.3.3" not in running(session)


def test_the_drop_after_knob_closes_the_session() -> None:
    session = login(switch(drop_after=2))
    assert not session.handle("show clock").close
    assert session.handle("show clock").close


def test_help_lists_keywords_and_tab_completes_a_unique_one() -> None:
    session = enabled()
    assert "  version\n" in session.help("show v")
    assert session.complete("show vers") == "show version "
    assert session.complete("sh") == "show "
    assert session.complete("show ") is None


def test_the_hang_on_knob_prints_the_first_line_then_never_finishes() -> None:
    reply = enabled(switch(hang_on="show ver")).handle("show version")
    assert reply.hang and reply.output == "Arista vEOS-lab\n"
