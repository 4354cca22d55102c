"""The Junos personality, line by line without SSH: prompts, operational commands, `set` /
`delete` in the candidate, `show | compare`, commit, rollback and their errors."""

from __future__ import annotations

import pytest
from ntc_templates.parse import parse_output

from engine.lab import DeviceSpec, LabKnobs
from engine.lab.cli import Reply
from engine.lab.device import Device
from engine.lab.junos import JunosSession
from engine.lab.lab import build_devices
from engine.lab.personalities import open_session


def junos(knobs: LabKnobs | None = None) -> Device:
    spec = DeviceSpec("R1", "admin", "pw", platform="juniper_junos", knobs=knobs or LabKnobs())
    return Device(spec)


def login(device: Device, user: str = "admin") -> JunosSession:
    session = open_session(device, user)
    assert isinstance(session, JunosSession)
    return session


def run(session: JunosSession, *lines: str) -> str:
    """Send lines; the output of the last one."""
    reply = Reply()
    for line in lines:
        reply = session.handle(line)
    return reply.output


def committed(device: Device) -> str:
    return run(login(device), "show configuration | display set")


def test_a_junos_device_greets_with_user_at_host_and_a_space() -> None:
    session = login(junos(), "netops")
    assert session.greeting().endswith("\nnetops@R1> ")
    assert "%" not in session.greeting()  # netmiko would take a `%` for the shell


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        ("set cli screen-width 511", "Screen width set to 511\n"),
        ("set cli complete-on-space off", "Disabling complete-on-space\n"),
        ("set cli screen-length 0", "Screen length set to 0\n"),
    ],
)
def test_netmiko_session_preparation_gets_the_answers_it_waits_for(line: str, answer: str) -> None:
    assert run(login(junos()), line) == answer


def test_screen_length_zero_turns_paging_off() -> None:
    session = login(junos())
    run(session, "set cli screen-length 0")
    assert session.terminal.length == 0


@pytest.mark.parametrize(
    ("command", "key", "expected"),
    [
        ("show version", "junos_version", "21.4R3.15"),
        ("show interfaces", "interface", "ge-0/0/0"),
        ("show system uptime", "users", "1"),
        ("show lldp neighbors", "neighbor_name", "R2"),
    ],
)
def test_operational_outputs_parse_with_the_junos_templates(
    command: str, key: str, expected: str
) -> None:
    first, _second = build_devices(
        [
            DeviceSpec("R1", "admin", "pw", platform="juniper_junos"),
            DeviceSpec("R2", "admin", "pw", platform="juniper_junos"),
        ]
    )
    output = run(login(first), command)
    records = parse_output(platform="juniper_junos", command=command, data=output)
    assert expected in [record[key] for record in records]


def test_show_interfaces_terse_lists_units_with_their_addresses() -> None:
    terse = run(login(junos()), "show interfaces terse")
    assert terse.startswith("Interface               Admin Link Proto    Local")
    assert any(line.startswith("lo0.0") and "inet" in line for line in terse.splitlines())


def test_show_configuration_is_a_brace_hierarchy_and_display_set_flattens_it() -> None:
    session = login(junos())
    braces = run(session, "show configuration")
    assert "system {\n    host-name R1;\n" in braces
    flat = run(session, "show configuration | display set")
    assert "set system host-name R1\n" in flat
    assert "set routing-options static route 0.0.0.0/0 next-hop " in flat


def test_unknown_commands_answer_as_junos_does() -> None:
    session = login(junos())
    assert run(session, "frobnicate") == " " * len("admin@R1> ") + "^\nunknown command.\n"
    answer = run(session, "show frobs")
    assert answer == " " * len("admin@R1> show ") + "^\nsyntax error, expecting <command>.\n"


def test_configure_enters_the_edit_prompt() -> None:
    session = login(junos())
    assert run(session, "configure") == "Entering configuration mode\n"
    assert session.prompt == "\n[edit]\nadmin@R1# "


def test_set_changes_only_the_candidate_until_commit() -> None:
    device = junos()
    session = login(device)
    run(session, "configure", 'set interfaces ge-0/0/3 description "to core"')
    assert "to core" not in committed(device)
    compare = run(session, "show | compare")
    assert compare.startswith('[edit interfaces]\n+   ge-0/0/3 {\n+       description "to core";')
    assert run(session, "commit check") == "configuration check succeeds\n"
    assert "to core" not in committed(device)
    assert run(session, "commit") == "commit complete\n"
    assert 'set interfaces ge-0/0/3 description "to core"\n' in committed(device)


def test_an_unknown_statement_is_a_syntax_error_with_a_caret_and_is_not_stored() -> None:
    session = login(junos())
    run(session, "configure")
    answer = run(session, "set system hostname R9")
    assert answer == " " * len("admin@R1# set system ") + "^\nsyntax error.\n"
    assert run(session, "set system host-name").endswith("missing argument.\n")
    assert run(session, "show | compare") == ""


def test_delete_removes_a_statement_and_rollback_zero_restores_the_candidate() -> None:
    device = junos()
    session = login(device)
    run(session, "configure", "delete protocols lldp")
    assert "-       interface all;" in run(session, "show | compare")
    assert run(session, "rollback 0") == "load complete\n"
    assert run(session, "show | compare") == ""


def test_rollback_one_loads_the_configuration_before_the_last_commit() -> None:
    device = junos()
    session = login(device)
    run(session, "configure", "set system host-name R5", "commit", "rollback 1", "commit")
    assert "set system host-name R1\n" in committed(device)


def test_exit_with_uncommitted_changes_asks_and_the_shared_candidate_keeps_them() -> None:
    device = junos()
    session = login(device)
    asked = run(session, "configure", "set system domain-name lab.example", "exit")
    assert asked == (
        "The configuration has been changed but not committed\n"
        "Exit with uncommitted changes? [yes,no] (yes) "
    )
    assert run(session, "yes") == "Exiting configuration mode\n"
    assert session.prompt == "admin@R1> "
    again = run(login(device), "configure")
    assert "The configuration has been changed but not committed" in again


def test_configure_private_is_refused_while_the_shared_candidate_is_modified() -> None:
    device = junos()
    run(login(device), "configure", "set system domain-name lab.example")
    other = login(device)
    assert run(other, "configure private") == "error: shared configuration database modified\n"
    assert not other.configuring


def test_a_private_candidate_is_dropped_on_exit() -> None:
    device = junos()
    session = login(device)
    run(session, "configure private", "set system domain-name lab.example", "exit", "yes")
    assert "The configuration has been changed" not in run(login(device), "configure")


def test_two_private_sessions_in_a_row_each_commit() -> None:
    device = junos()
    for server in ("192.0.2.46", "192.0.2.47"):
        session = login(device)
        assert run(session, "configure private") == "Entering configuration mode\n"
        run(session, f"set system ntp server {server}")
        assert run(session, "commit and-quit").startswith("commit complete\n")
    assert "set system ntp server 192.0.2.46" in committed(device)
    assert "set system ntp server 192.0.2.47" in committed(device)
    assert run(login(device), "configure") == "Entering configuration mode\n"


def test_a_private_commit_leaves_uncommitted_shared_changes_pending() -> None:
    device = junos()
    private, shared = login(device), login(device)
    run(private, "configure private", "set system ntp server 192.0.2.46")
    run(shared, "configure", "set system domain-name lab.example")
    run(private, "commit")
    assert "domain-name lab.example" in run(shared, "show | compare")


def test_commit_and_quit_returns_to_operational_mode() -> None:
    device = junos()
    session = login(device)
    answer = run(session, "configure", "set system domain-name lab.example", "commit and-quit")
    assert answer == "commit complete\nExiting configuration mode\n"
    assert session.prompt == "admin@R1> "


def test_a_rejected_statement_fails_the_commit_and_nothing_is_applied() -> None:
    device = junos(LabKnobs(reject=("set system ntp server 192.0.2.9",)))
    session = login(device)
    run(session, "configure", "set system host-name CHANGED", "set system ntp server 192.0.2.9")
    answer = run(session, "commit")
    assert answer.startswith("[edit system ntp]\n  'server 192.0.2.9'\n")
    assert answer.endswith("error: configuration check-out failed\n")
    assert "CHANGED" not in committed(device)
    assert run(session, "commit check").endswith("error: configuration check-out failed\n")


def test_edit_moves_into_the_hierarchy_and_statements_are_relative_to_it() -> None:
    device = junos()
    session = login(device)
    run(session, "configure", "edit interfaces ge-0/0/4")
    assert session.prompt == "\n[edit interfaces ge-0/0/4]\nadmin@R1# "
    run(session, "set description spare", "top", "commit")
    assert "set interfaces ge-0/0/4 description spare\n" in committed(device)


def test_run_executes_an_operational_command_in_configuration_mode() -> None:
    session = login(junos())
    run(session, "configure")
    assert run(session, "run show version").startswith("Hostname: R1\n")


def test_show_configuration_of_one_statement_shows_just_that_statement() -> None:
    assert run(login(junos()), "show configuration system host-name") == "host-name R1;\n"


def test_the_hang_on_knob_can_name_a_configuration_statement() -> None:
    session = login(junos(LabKnobs(hang_on="set system ntp")))
    run(session, "configure")
    assert session.handle("set system ntp server 192.0.2.1").hang
    assert not session.handle("set system domain-name lab.example").hang


def test_question_mark_after_set_lists_the_statements_of_that_level() -> None:
    session = login(junos())
    assert "configure" in session.help("").split()
    run(session, "configure")
    assert {"host-name", "ntp", "login"} <= set(session.help("set system ").split())
    assert session.complete("set system host") == "set system host-name "


def test_commit_confirmed_says_when_it_rolls_back_and_does_unless_confirmed() -> None:
    device = junos()
    session = login(device)
    start = session.store.clock()
    session.store.clock = lambda: start
    answer = run(session, "configure", "set system host-name TRIAL", "commit confirmed 2")
    assert answer.startswith("commit confirmed will be automatically rolled back in 2 minutes")
    session.store.clock = lambda: start + 121
    assert "host-name TRIAL" not in committed(device)
    run(session, "set system host-name KEPT", "commit confirmed 2", "commit")
    session.store.clock = lambda: start + 600
    assert "set system host-name KEPT\n" in committed(device)


def test_compare_shows_a_changed_value_as_its_old_and_new_line_under_one_level() -> None:
    session = login(junos())
    run(session, "configure", "set system host-name R2")
    assert run(session, "show | compare") == "[edit system]\n-   host-name R1;\n+   host-name R2;\n"
