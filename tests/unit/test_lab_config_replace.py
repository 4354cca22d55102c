"""`copy running-config flash:FILE` and `configure replace flash:FILE` on a simulated device."""

from __future__ import annotations

import re

from engine.lab.cli import Session
from engine.lab.device import Device, DeviceSpec
from engine.lab.render_config import running_config
from engine.lab.render_interfaces import show_ip_interface_brief

CHANGES = [
    "configure terminal",
    "hostname CHANGED",
    "interface GigabitEthernet0/1",
    "description cut by mistake",
    "shutdown",
    "interface Loopback5",
    "ip address 10.5.5.5 255.255.255.255",
    "ntp server 192.0.2.9",
    "username intruder secret Kestrel-51",
    "no ip route 0.0.0.0 0.0.0.0",
    "line vty 0 4",
    "exec-timeout 5 0",
    "end",
]


def session() -> tuple[Device, Session]:
    device = Device(DeviceSpec("R1", "netops", "Heron-4419", secret="Marten-8806"))
    lab_session = Session(device, "netops")
    lab_session.handle("enable")
    lab_session.handle("Marten-8806")
    return device, lab_session


def archived(lab_session: Session, name: str = "base.cfg") -> str:
    asked = lab_session.handle(f"copy running-config flash:{name}").output
    assert asked == f"Destination filename [{name}]? "
    return lab_session.handle("").output


def test_copy_running_config_to_flash_asks_the_name_and_says_how_much_it_copied() -> None:
    device, lab_session = session()
    copied = archived(lab_session)
    assert re.fullmatch(r"(\d+) bytes copied in \d+\.\d{3} secs \(\d+ bytes/sec\)\n", copied)
    saved = device.flash.files["base.cfg"].content().decode()
    assert copied.startswith(f"{len(saved)} bytes")
    assert lab_session.handle("more flash:base.cfg").output == saved
    assert saved == running_config(device.state).split("\n", 3)[3]  # without the header


def test_configure_replace_puts_back_every_change_since_the_archive() -> None:
    device, lab_session = session()
    before, brief = running_config(device.state), show_ip_interface_brief(device)
    archived(lab_session)
    for line in CHANGES:
        lab_session.handle(line)
    assert running_config(device.state) != before
    logged = device.log.logged
    answer = lab_session.handle("configure replace flash:base.cfg force").output
    assert answer == "Total number of passes: 1\nRollback Done\n"
    assert running_config(device.state) == before
    assert device.log.logged == logged  # setting the file's lines again is no news
    assert show_ip_interface_brief(device) == brief  # addresses still "NVRAM", links as they were
    assert lab_session.prompt == "R1#"


def test_secrets_survive_a_replace_and_a_user_added_since_is_gone() -> None:
    device, lab_session = session()
    archived(lab_session)
    for line in CHANGES:
        lab_session.handle(line)
    lab_session.handle("configure replace flash:base.cfg force")
    assert device.login_ok("netops", "Heron-4419")
    assert not device.login_ok("intruder", "Kestrel-51")
    assert device.state.check_enable("Marten-8806")
    assert not device.state.check_enable("wrong")


def test_without_force_configure_replace_asks_first_and_no_keeps_the_config() -> None:
    device, lab_session = session()
    archived(lab_session)
    lab_session.handle("configure terminal")
    lab_session.handle("ntp server 192.0.2.9")
    lab_session.handle("end")
    question = lab_session.handle("configure replace flash:base.cfg").output
    assert question.endswith("Enter Y if you are sure you want to proceed. ? [no]: ")
    assert lab_session.handle("").output == ""
    assert "ntp server 192.0.2.9" in running_config(device.state)
    lab_session.handle("configure replace flash:base.cfg")
    assert lab_session.handle("y").output.endswith("Rollback Done\n")
    assert "ntp server 192.0.2.9" not in running_config(device.state)


def test_a_missing_file_is_an_error_and_changes_nothing() -> None:
    device, lab_session = session()
    before = running_config(device.state)
    answer = lab_session.handle("configure replace flash:nope.cfg force").output
    assert answer == "%Error opening flash:/nope.cfg (No such file or directory)\n"
    assert running_config(device.state) == before


def test_a_file_with_a_line_the_device_refuses_is_not_applied_at_all() -> None:
    device, lab_session = session()
    archived(lab_session)
    text = device.flash.files["base.cfg"].content().decode()
    device.flash.write("bad.cfg", text.replace("hostname R1", "hostname R1\nvlan 9999").encode())
    before = running_config(device.state)
    answer = lab_session.handle("configure replace flash:bad.cfg force").output
    assert answer == (
        "Total number of passes: 1\n"
        "%Error: line not applied: vlan 9999\n"
        "Rollback aborted after 1 passes\n"
    )
    assert running_config(device.state) == before
