"""A CLI session on a simulated device, line by line, without SSH."""

from __future__ import annotations

from engine.lab import DeviceSpec, LabKnobs
from engine.lab.cli import Reply, Session
from engine.lab.device import Device


def session(secret: str | None = "s3cret", knobs: LabKnobs | None = None) -> Session:
    spec = DeviceSpec(
        "R1", "admin", "pw", secret=secret, address="192.168.100.1", knobs=knobs or LabKnobs()
    )
    return Session(Device(spec))


def enabled(knobs: LabKnobs | None = None) -> Session:
    cli = session(knobs=knobs)
    cli.handle("enable")
    cli.handle("s3cret")
    return cli


def run(cli: Session, *lines: str) -> str:
    """Send lines; the output of the last one."""
    reply = Reply()
    for line in lines:
        reply = cli.handle(line)
    return reply.output


def test_a_session_starts_in_user_exec_mode() -> None:
    cli = session()
    assert cli.prompt == "R1>"
    assert cli.greeting() == "\nR1>"


def test_enable_asks_for_the_secret_and_never_echoes_it() -> None:
    cli = session()
    assert cli.handle("enable").output == "Password: "
    assert cli.prompt == ""
    reply = cli.handle("s3cret")
    assert not reply.echo
    assert "s3cret" not in reply.output
    assert cli.prompt == "R1#"


def test_a_wrong_secret_is_asked_for_again_and_the_third_gives_bad_secrets() -> None:
    cli = session()
    cli.handle("en")
    replies = [cli.handle(guess) for guess in ("guess", "", "s3cre")]
    assert [r.output for r in replies] == ["\nPassword: ", "\nPassword: ", "\n% Bad secrets\n\n"]
    assert not any(r.echo for r in replies)
    assert cli.prompt == "R1>"


def test_the_right_secret_at_the_second_try_enables() -> None:
    cli = session()
    cli.handle("en")
    cli.handle("guess")
    cli.handle("s3cret")
    assert cli.prompt == "R1#"


def test_without_a_secret_enable_needs_none() -> None:
    cli = session(secret=None)
    assert cli.handle("enable").output == ""
    assert cli.prompt == "R1#"


def test_disable_returns_to_user_mode() -> None:
    cli = enabled()
    run(cli, "disable")
    assert cli.prompt == "R1>"


def test_an_invalid_word_gets_a_caret_under_it_counting_the_prompt() -> None:
    output = run(enabled(), "show ip intx brief")
    caret, message = output.splitlines()[:2]
    assert caret == " " * len("R1#show ip int") + "^"
    assert message == "% Invalid input detected at '^' marker."


def test_an_ambiguous_command_is_quoted_back() -> None:
    assert run(enabled(), "sh in") == '% Ambiguous command:  "sh in"\n'


def test_an_incomplete_command_says_so() -> None:
    assert run(enabled(), "show ip").startswith("% Incomplete command.")


def test_session_set_up_commands_are_accepted_silently() -> None:
    cli = enabled()
    for line in (
        "terminal length 0",
        "terminal width 511",
        "terminal width 0",
        "terminal exec prompt no-timestamp",
    ):
        assert run(cli, line) == ""
    assert run(cli, "show privilege") == "Current privilege level is 15\n"


def test_user_mode_cannot_show_the_running_config() -> None:
    assert "% Invalid input" in run(session(), "show running-config")


def test_configure_terminal_enters_config_mode_and_end_leaves_it() -> None:
    cli = enabled()
    assert "Enter configuration commands" in run(cli, "conf t")
    assert cli.prompt == "R1(config)#"
    run(cli, "interface gi0/1")
    assert cli.prompt == "R1(config-if)#"
    run(cli, "exit")
    assert cli.prompt == "R1(config)#"
    run(cli, "line vty 0 4")
    assert cli.prompt == "R1(config-line)#"
    run(cli, "end")
    assert cli.prompt == "R1#"


def test_hostname_changes_the_prompt() -> None:
    cli = enabled()
    run(cli, "configure terminal", "hostname EDGE-7")
    assert cli.prompt == "EDGE-7(config)#"


def test_a_long_hostname_is_shortened_in_config_prompts_only() -> None:
    cli = enabled()
    run(cli, "configure terminal", "hostname a-rather-long-hostname-01", "end")
    assert cli.prompt == "a-rather-long-hostname-01#"
    run(cli, "configure terminal")
    assert cli.prompt == "a-rather-long-hostna(config)#"


def test_config_changes_show_in_the_running_config_and_interface_table() -> None:
    cli = enabled()
    run(cli, "conf t", "int gi0/2", "description to core", "ip add 10.9.9.1 255.255.255.0", "end")
    section = run(cli, "show running-config | section GigabitEthernet0/2")
    assert " description to core\n" in section
    assert " ip address 10.9.9.1 255.255.255.0\n" in section
    assert "GigabitEthernet0/2     10.9.9.1        YES manual up" in run(cli, "sh ip int br")


def test_shutdown_and_no_shutdown_change_the_interface_status() -> None:
    cli = enabled()
    run(cli, "conf t", "int gi0/1", "shutdown", "end")
    assert "GigabitEthernet0/1 is administratively down" in run(cli, "show interfaces gi0/1")
    run(cli, "conf t", "int gi0/1", "no shutdown", "end")
    assert "GigabitEthernet0/1 is up, line protocol is up" in run(cli, "show interfaces gi0/1")


def test_do_runs_an_exec_command_from_config_mode() -> None:
    cli = enabled()
    assert run(cli, "conf t", "do show clock").endswith(
        "UTC " + run(cli, "do show clock").split("UTC ")[1]
    )
    assert cli.prompt == "R1(config)#"


def test_exec_commands_without_do_are_invalid_in_config_mode() -> None:
    cli = enabled()
    assert "% Invalid input" in run(cli, "conf t", "show running-config")
    assert "show running-config" not in run(cli, "do show running-config")


def test_a_config_line_the_device_does_not_know_is_refused_not_stored() -> None:
    cli = enabled()
    output = run(cli, "conf t", "ip domian-name lab.example")
    assert output.splitlines()[0] == " " * len("R1(config)#ip dom") + "^"
    assert cli.prompt == "R1(config)#"
    run(cli, "end")
    assert "lab.example" not in run(cli, "show running-config")


def test_config_lines_are_kept_where_they_were_typed() -> None:
    cli = enabled()
    run(cli, "conf t", "ip domain-name lab.example", "interface gi0/1", "ip ospf cost 10", "end")
    config = run(cli, "show running-config")
    assert "\nip domain-name lab.example\n" in config
    assert "GigabitEthernet0/1" in run(cli, "show run | section ip ospf cost 10")


def test_no_removes_a_line() -> None:
    cli = enabled()
    run(cli, "conf t", "ip domain-name lab.example", "no ip domain-name lab.example", "end")
    assert "domain-name" not in run(cli, "show running-config")


def test_a_global_command_in_a_sub_mode_leaves_the_sub_mode() -> None:
    cli = enabled()
    run(cli, "conf t", "interface gi0/1", "hostname R9")
    assert cli.prompt == "R9(config)#"


def test_write_memory_saves_the_startup_config() -> None:
    cli = enabled()
    run(cli, "conf t", "hostname SAVED", "end")
    assert "hostname R1" in run(cli, "show startup-config")
    assert run(cli, "wr") == "Building configuration...\n[OK]\n"
    assert "hostname SAVED" in run(cli, "show startup-config")


def test_copy_running_config_asks_for_the_destination_first() -> None:
    cli = enabled()
    run(cli, "conf t", "hostname COPIED", "end")
    assert (
        run(cli, "copy running-config startup-config") == "Destination filename [startup-config]? "
    )
    assert cli.prompt == ""
    assert "[OK]" in run(cli, "")
    assert "hostname COPIED" in run(cli, "show startup-config")


def test_exit_closes_the_session_without_a_prompt() -> None:
    cli = enabled()
    assert cli.handle("exit").close
    assert cli.prompt == ""


def test_drop_after_closes_after_that_many_commands_not_counting_set_up() -> None:
    cli = session(secret=None, knobs=LabKnobs(drop_after=2))
    assert not cli.handle("terminal length 0").close
    assert not cli.handle("").close
    assert not cli.handle("show clock").close
    assert cli.handle("show version").close


def test_reject_answers_a_listed_command_as_invalid_even_abbreviated() -> None:
    cli = enabled(LabKnobs(reject=("show clock",)))
    output = run(cli, "sh clo")
    assert output.splitlines()[0] == " " * len("R1#sh ") + "^"
    assert "% Invalid input" in output
    assert "% Invalid input" not in run(cli, "show version")


def test_reject_works_for_config_lines_too() -> None:
    cli = enabled(LabKnobs(reject=("interface GigabitEthernet0/3",)))
    assert "% Invalid input" in run(cli, "conf t", "int gi0/3")
    assert cli.prompt == "R1(config)#"


def test_hang_on_prints_the_first_line_then_never_completes() -> None:
    cli = enabled(LabKnobs(hang_on="show tech"))
    reply = cli.handle("sh tech-support")
    assert reply.hang
    assert reply.output == "------------------ show version ------------------\n"


def test_nothing_echoes_or_shows_the_enable_secret() -> None:
    cli = enabled()
    everything = "".join(run(cli, line) for line in ("show running-config", "show tech-support"))
    assert "s3cret" not in everything
    assert "pw" not in everything.split()
