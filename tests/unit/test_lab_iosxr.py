"""The IOS-XR personality, line by line without SSH: prompts, shows, the target
configuration, commit, abort and their errors."""

from __future__ import annotations

import pytest
from ntc_templates.parse import parse_output

from engine.lab import DeviceSpec, LabKnobs
from engine.lab.cli import Reply
from engine.lab.device import Device
from engine.lab.iosxr import IosXrSession
from engine.lab.lab import build_devices
from engine.lab.personalities import open_session


def xr(knobs: LabKnobs | None = None, name: str = "R1") -> Device:
    spec = DeviceSpec(name, "admin", "pw", platform="cisco_xr", knobs=knobs or LabKnobs())
    return Device(spec)


def login(device: Device) -> IosXrSession:
    session = open_session(device, "admin")
    assert isinstance(session, IosXrSession)
    return session


def run(session: IosXrSession, *lines: str) -> str:
    """Send lines; the output of the last one."""
    reply = Reply()
    for line in lines:
        reply = session.handle(line)
    return reply.output


def running(device: Device) -> str:
    return run(login(device), "show running-config")


def test_an_ios_xr_device_greets_with_its_route_processor_prompt() -> None:
    session = login(xr())
    assert session.greeting().endswith("RP/0/RP0/CPU0:R1#")
    assert not session.configuring


def test_what_netmiko_sends_on_connect_is_accepted_silently() -> None:
    session = login(xr())
    assert run(session, "terminal width 511") == ""
    assert run(session, "terminal length 0") == ""
    assert (session.terminal.length, session.terminal.width) == (0, 511)


@pytest.mark.parametrize(
    ("command", "template_key", "expected"),
    [
        ("show version", "version", "7.3.2"),
        ("show ipv4 interface brief", "interface", "GigabitEthernet0/0/0/0"),
        ("show interfaces", "interface", "GigabitEthernet0/0/0/0"),
        ("show interface brief", "interface", "Gi0/0/0/0"),
        ("show lldp neighbors", "neighbor_name", "R2"),
    ],
)
def test_show_outputs_parse_with_the_ios_xr_templates(
    command: str, template_key: str, expected: str
) -> None:
    first, _second = build_devices(
        [
            DeviceSpec("R1", "admin", "pw", platform="cisco_xr"),
            DeviceSpec("R2", "admin", "pw", platform="cisco_xr"),
        ]
    )
    records = parse_output(platform="cisco_xr", command=command, data=run(login(first), command))
    assert expected in [record[template_key] for record in records]


def test_show_running_config_has_the_ios_xr_header_and_filters_with_include() -> None:
    session = login(xr())
    text = run(session, "show running-config")
    assert "Building configuration...\n!! IOS XR Configuration 7.3.2\n" in text
    assert text.rstrip().endswith("end")
    assert run(session, "show running-config | include hostname") == "hostname R1\n"


def test_configure_enters_config_mode_and_interface_enters_its_sub_mode() -> None:
    session = login(xr())
    run(session, "configure terminal")
    assert session.prompt == "RP/0/RP0/CPU0:R1(config)#"
    run(session, "interface Gi0/0/0/3")
    assert session.prompt == "RP/0/RP0/CPU0:R1(config-if)#"
    run(session, "hostname R9")  # a global statement climbs out of the sub-mode
    assert session.prompt == "RP/0/RP0/CPU0:R1(config)#"


def test_changes_stay_in_the_target_until_commit_then_every_session_sees_them() -> None:
    device = xr()
    session = login(device)
    run(session, "configure", "interface GigabitEthernet0/0/0/3", "description to core")
    assert "to core" not in running(device)
    shown = run(session, "show configuration")
    assert "interface GigabitEthernet0/0/0/3\n description to core\n!" in shown
    assert run(session, "commit label change-1 comment first change") == ""
    assert " description to core" in running(device)  # `running` logs in afresh


def test_each_session_has_its_own_target_configuration() -> None:
    device = xr()
    first, second = login(device), login(device)
    run(first, "configure", "hostname FIRST")
    run(second, "configure")
    assert "hostname" not in run(second, "show configuration")


def test_invalid_input_is_marked_with_a_caret_and_not_stored() -> None:
    session = login(xr())
    run(session, "configure")
    answer = run(session, "hostnme R9")
    caret_line, message = answer.splitlines()[:2]
    assert caret_line == " " * len("RP/0/RP0/CPU0:R1(config)#") + "^"
    assert message == "% Invalid input detected at '^' marker."
    assert run(session, "commit").strip() == "% No configuration changes to commit."


def test_commit_check_is_not_an_ios_xr_command() -> None:
    session = login(xr())
    run(session, "configure")
    answer = run(session, "commit check")
    start = len("RP/0/RP0/CPU0:R1(config)#commit ")
    # under `check`, at its first letter no commit option continues (`c` could be `comment`)
    assert answer.splitlines()[0].index("^") == start + 1
    assert "% Invalid input detected at '^' marker." in answer


def test_abort_discards_the_target_and_returns_to_exec() -> None:
    device = xr()
    session = login(device)
    run(session, "configure", "hostname GONE", "abort")
    assert session.prompt == "RP/0/RP0/CPU0:R1#"
    assert "GONE" not in running(device)


def test_end_with_uncommitted_changes_asks_and_no_discards_them() -> None:
    device = xr()
    session = login(device)
    asked = run(session, "configure", "hostname R7", "end")
    assert asked == (
        "Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:"
    )
    assert session.asking
    run(session, "no")
    assert session.prompt == "RP/0/RP0/CPU0:R1#"
    assert "R7" not in running(device)


def test_end_answered_yes_commits_and_cancel_stays_in_config_mode() -> None:
    device = xr()
    session = login(device)
    run(session, "configure", "hostname R7", "end", "")
    assert session.configuring
    run(session, "end", "yes")
    assert session.prompt == "RP/0/RP0/CPU0:R7#"


def test_a_rejected_line_fails_the_commit_and_nothing_is_applied() -> None:
    device = xr(LabKnobs(reject=("ntp server 192.0.2.9",)))
    session = login(device)
    run(session, "configure", "hostname CHANGED", "ntp server 192.0.2.9")
    answer = run(session, "commit")
    assert "% Failed to commit one or more configuration items during a pseudo-atomic" in answer
    assert "show configuration failed [inheritance]" in answer
    assert "CHANGED" not in running(device)
    failed = run(session, "show configuration failed")
    assert "ntp\n server 192.0.2.9\n!!% " in failed
    assert session.configuring and session.changed  # the target is kept to be fixed


def test_an_address_overlapping_another_interface_fails_the_commit() -> None:
    device = xr()
    session = login(device)
    run(session, "configure", "interface Gi0/0/0/3", "ipv4 address 10.255.0.1 255.255.0.0")
    assert "% Failed to commit" in run(session, "commit")
    assert "conflicts" in run(session, "show configuration failed")


def test_no_removes_a_statement_at_commit() -> None:
    device = xr()
    session = login(device)
    run(session, "configure", "interface GigabitEthernet0/0/0/0", "no description")
    assert " no description uplink" in run(session, "show configuration")
    run(session, "commit")
    assert "description uplink" not in running(device)


def test_do_runs_an_exec_command_from_config_mode() -> None:
    session = login(xr())
    run(session, "configure")
    assert "Cisco IOS XR Software" in run(session, "do show version")


def test_the_hang_on_knob_prints_a_first_line_and_never_finishes() -> None:
    session = login(xr(LabKnobs(hang_on="show version")))
    reply = session.handle("show version")
    assert reply.hang and reply.output.count("\n") == 1


def test_the_drop_after_knob_closes_the_session() -> None:
    session = login(xr(LabKnobs(drop_after=2)))
    assert not session.handle("show clock").close
    assert session.handle("show clock").close


def test_commits_are_listed_newest_first_by_label_or_commit_id() -> None:
    device = xr()
    session = login(device)
    run(session, "configure", "hostname R2", "commit", "hostname R3", "commit label second")
    output = run(session, "do show configuration commit list")
    records = parse_output(
        platform="cisco_xr", command="show configuration commit list", data=output
    )
    assert [(r["number"], r["commit"], r["user"]) for r in records] == [
        ("1", "second", "admin"),
        ("2", "1000000001", "admin"),
    ]


def test_question_mark_in_config_mode_lists_statements_and_commands() -> None:
    session = login(xr())
    run(session, "configure")
    listed = session.help("").split()
    assert {"interface", "hostname", "commit", "abort"} <= set(listed)
    assert session.help("interface Gi0/0/0/1 ").split()[:2] == ["description", "ipv4"]
    assert session.complete("interface Gi0/0/0/1 desc") == "interface Gi0/0/0/1 description "


def test_a_confirmed_commit_rolls_back_unless_a_plain_commit_confirms_it() -> None:
    device = xr()
    session = login(device)
    start = session.store.clock()
    session.store.clock = lambda: start
    run(session, "configure", "hostname TRIAL", "commit label try confirmed 60")
    assert "hostname TRIAL" in running(device)
    session.store.clock = lambda: start + 61
    assert "hostname TRIAL" not in running(device)
    run(session, "hostname KEPT", "commit confirmed 60", "commit")
    session.store.clock = lambda: start + 200
    assert "hostname KEPT" in running(device)


def test_lldp_names_each_neighbour_and_its_port_as_its_own_platform_does() -> None:
    _switch, router, _junos = build_devices(
        [
            DeviceSpec("SW1", "admin", "pw"),
            DeviceSpec("XR1", "admin", "pw", platform="cisco_xr"),
            DeviceSpec("J1", "admin", "pw", platform="juniper_junos"),
        ]
    )
    output = run(login(router), "show lldp neighbors")
    records = parse_output(platform="cisco_xr", command="show lldp neighbors", data=output)
    assert {(r["neighbor_name"], r["neighbor_interface"]) for r in records} == {
        ("J1", "ge-0/0/1"),  # the XR uplink meets the Junos downlink
        ("SW1", "GigabitEthernet0/1"),
    }
