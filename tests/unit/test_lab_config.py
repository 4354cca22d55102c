"""Global configuration mode: IOS's keyword grammar, and the running-config IOS keeps."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from engine.lab.cli import Session

if TYPE_CHECKING:
    from conftest import Console

INVALID = "% Invalid input detected at '^' marker."


def caret_column(output: str) -> int:
    """Where the caret of an invalid-input answer points (prompt included)."""
    caret, message = output.splitlines()[:2]
    assert message == INVALID
    return caret.index("^")


@pytest.mark.parametrize(
    ("mode", "line", "fits"),
    [
        ((), "lgging buffered 8000", "l"),
        ((), "ntpp server 192.0.2.1", "ntp"),
        ((), "logging bufferd 8000", "logging buffer"),
        (("interface gi0/2",), "descrption to core", "descr"),
        (("interface gi0/2",), "ip adress 10.1.2.1 255.255.255.0", "ip ad"),
        (("line vty 0 4",), "transprt input ssh", "transp"),
    ],
)
def test_a_typo_is_refused_with_the_caret_under_the_first_character_no_keyword_fits(
    console: Console, mode: tuple[str, ...], line: str, fits: str
) -> None:
    before = console.running
    console.send("configure terminal", *mode)
    prompt = console.prompt
    output = console.send(line)
    assert caret_column(output) == len(prompt) + len(fits)
    console.send("end")
    assert console.running == before


@pytest.mark.parametrize(
    "line", ["logging", "ip route 10.0.0.0 255.0.0.0", "interface", "ntp server"]
)
def test_an_unfinished_command_is_incomplete_and_changes_nothing(
    console: Console, line: str
) -> None:
    before = console.running
    assert console.configure(line) == "% Incomplete command.\n\n"
    assert console.running == before


@pytest.mark.parametrize("line", ["s", "i", "log buffered", "v 10", "l"])
def test_abbreviations_ios_finds_ambiguous_in_config_mode_are_refused(
    console: Console, line: str
) -> None:
    assert console.configure(line) == f'% Ambiguous command:  "{line}"\n'


def test_abbreviations_are_stored_in_full(console: Console) -> None:
    console.configure(
        "logg buff 30000", "int gi0/2", "desc to core", "no sw", "exi", "ntp ser 192.0.2.1"
    )
    assert "\nlogging buffered 30000\n" in console.running
    assert "\ninterface GigabitEthernet0/2\n description to core\n" in console.running
    assert "\nntp server 192.0.2.1\n" in console.running


def test_a_second_single_valued_setting_replaces_the_first(console: Console) -> None:
    console.configure(*(f"logging buffered {size}" for size in range(8000, 8005)))
    assert console.running.count("logging buffered") == 1
    assert "\nlogging buffered 8004\n" in console.running


def test_no_of_a_line_that_is_not_there_is_a_silent_no_op(console: Console) -> None:
    before = console.running
    assert console.configure("no ntp server 192.0.2.9", "no logging host 10.9.9.9") == ""
    assert console.running == before


def test_no_with_arguments_removes_the_line_whatever_the_value(console: Console) -> None:
    console.configure("logging buffered 16000", "no logging buffered 4096")
    assert "logging buffered" not in console.running


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("logging 10.0.0.5", "logging host 10.0.0.5"),
        ("ip domain name lab.example", "ip domain-name lab.example"),
        ("no ip domain lookup", "no ip domain-lookup"),
        ("snmp-server community public", "snmp-server community public RO"),
        ("clock timezone CET 1", "clock timezone CET 1 0"),
        ("logging trap 4", "logging trap warnings"),
        ("no cdp run", "no cdp run"),
        ("service password-encryption", "service password-encryption"),
    ],
)
def test_commands_are_stored_as_ios_shows_them(console: Console, typed: str, stored: str) -> None:
    console.configure(typed)
    assert f"\n{stored}\n" in console.running


def test_default_values_are_not_shown(console: Console) -> None:
    console.configure("logging trap informational", "cdp run", "line vty 0 4", "exec-timeout 10")
    running = console.running
    assert "logging trap" not in running
    assert "cdp run" not in running
    assert "exec-timeout" not in running


def test_a_setting_ios_always_shows_flips_between_its_two_forms(console: Console) -> None:
    assert "\nno ip http server\n" in console.running
    console.configure("ip http server")
    assert "\nip http server\n" in console.running
    console.configure("default ip http server")
    assert "\nno ip http server\n" in console.running


def test_a_global_command_in_a_sub_mode_leaves_the_sub_mode(console: Console) -> None:
    console.send("configure terminal", "interface gi0/1", "hostname R9")
    assert console.prompt == "R9(config)#"
    assert "\nhostname R9\n" in console.running


def test_exit_leaves_one_level_and_end_returns_to_exec(console: Console) -> None:
    console.send("configure terminal", "router ospf 1")
    assert console.prompt == "R1(config-router)#"
    console.send("exit")
    assert console.prompt == "R1(config)#"
    console.send("exit")
    assert console.prompt == "R1#"
    console.send("configure terminal", "interface gi0/1", "end")
    assert console.prompt == "R1#"


@pytest.mark.parametrize(
    "mode",
    ["interface gi0/1", "line vty 0 4", "router ospf 1", "ip access-list standard X", "vlan 10"],
)
def test_do_runs_an_exec_command_in_every_config_mode(console: Console, mode: str) -> None:
    console.send("configure terminal", mode)
    prompt = console.prompt
    assert "uptime is" in console.send("do show version | include uptime")
    assert console.prompt == prompt


def test_leaving_config_mode_is_logged(console: Console) -> None:
    console.configure("hostname EDGE")
    assert "%SYS-5-CONFIG_I: Configured from console by admin on vty0" in console.send(
        "show logging"
    )


def test_the_running_config_keeps_ios_section_order(console: Console) -> None:
    console.configure(
        "ntp server 192.0.2.1", "banner motd ^Hi^", "snmp-server location lab",
        "logging host 10.0.0.5", "ip route 10.9.0.0 255.255.0.0 192.168.100.9",
        "username ops secret x", "logging buffered 9000", "ip domain-name lab.example",
    )  # fmt: skip
    running = console.running
    order = [
        "\nhostname R1\n", "\nlogging buffered 9000\n", "\nenable secret 9 ", "\nusername ops ",
        "\nip domain-name lab.example\n", "\ninterface GigabitEthernet0/0\n", "\nrouter ospf 1\n",
        "\nip route 10.9.0.0 ", "\nlogging host 10.0.0.5\n", "\nsnmp-server location lab\n",
        "\nbanner motd ^CHi^C\n", "\nline vty 0 4\n", "\nntp server 192.0.2.1\n", "\nend\n",
    ]  # fmt: skip
    assert [running.index(text) for text in order] == sorted(running.index(t) for t in order)


def test_the_running_config_loads_back_into_the_same_running_config(
    console: Console, consoles: Callable[[int], list[Console]]
) -> None:
    console.configure(
        "logging buffered 16000", "logging host 10.0.0.5", "ip domain-name lab.example",
        "ip name-server 10.0.0.53", "snmp-server community s3cr3t RW", "banner login ^",
        "Authorized", "users only^", "interface range gi1/0 - 1", "spanning-tree portfast",
        "interface gi1/3", "switchport mode trunk", "switchport trunk allowed vlan 10,20",
        "ip access-list extended WEB", "permit tcp any host 10.1.1.1 eq 443", "deny ip any any log",
        "access-list 10 permit 10.0.0.0 0.0.0.255", "router bgp 65001",
        "neighbor 172.16.0.2 remote-as 65002", "line vty 0 15", "exec-timeout 5",
        "username ops privilege 15 secret opspass", "vlan 30", "name SERVERS",
    )  # fmt: skip
    copy = consoles(1)[0].device
    copy.state.startup = console.running
    copy.reload()
    assert copy.running_text() == console.running
    assert copy.login_ok("ops", "opspass")


def test_banner_text_mode_takes_lines_until_the_delimiter(console: Console) -> None:
    console.send("configure terminal")
    answers = console.outputs("banner motd #", "Authorized access only.", "Leave now.#", "end")
    assert answers[0] == "Enter TEXT message.  End with the character '#'.\n"
    assert console.prompt == "R1#"
    assert "\nbanner motd ^C\nAuthorized access only.\nLeave now.^C\n" in console.running


def test_a_banner_on_one_line_needs_no_text_mode(console: Console) -> None:
    assert console.configure("banner exec ^Welcome^") == ""
    assert "\nbanner exec ^CWelcome^C\n" in console.running


def test_secrets_are_stored_hashed_and_still_check_logins(console: Console) -> None:
    console.configure("username ops privilege 15 secret 0 opspass", "enable secret newsecret")
    assert "opspass" not in console.running and "newsecret" not in console.running
    assert console.device.login_ok("ops", "opspass")
    assert Session(console.device, "ops").prompt == "R1#"
    cli = Session(console.device, "admin")
    cli.handle("enable")
    cli.handle("newsecret")
    assert cli.prompt == "R1#"


def test_a_user_without_a_secret_cannot_log_in_and_a_removed_one_no_longer_can(
    console: Console,
) -> None:
    console.configure("username nobody privilege 15", "no username admin")
    assert not console.device.login_ok("nobody", "")
    assert not console.device.login_ok("admin", "pw")


def test_a_hashed_secret_never_matches_a_login(console: Console) -> None:
    console.configure("username ops secret 9 $9$abc$def")
    assert not console.device.login_ok("ops", "$9$abc$def")


def test_static_routes_are_sorted_and_removed_by_prefix(console: Console) -> None:
    console.configure(
        "ip route 172.16.64.0 255.255.192.0 192.168.100.9",
        "ip route 10.9.0.0 255.255.0.0 192.168.100.9",
    )
    routes = [line for line in console.running.splitlines() if line.startswith("ip route")]
    assert routes[:2] == [
        "ip route 0.0.0.0 0.0.0.0 192.168.100.254",
        "ip route 10.9.0.0 255.255.0.0 192.168.100.9",
    ]
    console.configure("no ip route 172.16.64.0 255.255.192.0")
    assert "172.16.64.0" not in console.running


def test_a_route_with_host_bits_set_is_inconsistent(console: Console) -> None:
    assert console.configure("ip route 172.16.0.1 255.255.0.0 192.168.100.9") == (
        "%Inconsistent address and mask\n"
    )


def test_an_illegal_hostname_is_refused(console: Console) -> None:
    assert console.configure("hostname bad!name") == (
        "% Hostname contains one or more illegal characters.\n"
    )


def test_name_servers_are_one_line_each_and_no_alone_removes_them_all(console: Console) -> None:
    console.configure("ip name-server 10.0.0.53 10.0.1.53")
    assert "\nip name-server 10.0.0.53\nip name-server 10.0.1.53\n" in console.running
    console.configure("no ip name-server")
    assert "name-server" not in console.running


def test_aaa_commands_need_aaa_new_model_which_adds_its_session_id(console: Console) -> None:
    assert INVALID in console.configure("aaa authentication login default local")
    console.configure("aaa new-model", "aaa authentication login default local")
    assert "\naaa new-model\naaa authentication login default local\naaa session-id common\n" in (
        console.running
    )


def test_rsa_keys_need_a_domain_name_then_ask_for_the_modulus(console: Console) -> None:
    assert console.configure("crypto key generate rsa") == "% Please define a domain-name first.\n"
    console.send("configure terminal", "ip domain-name lab.example")
    question = console.send("crypto key generate rsa")
    assert question.startswith("The name for the keys will be: R1.lab.example\n")
    assert question.endswith("How many bits in the modulus [512]: ")
    assert "% Generating 2048 bit RSA keys" in console.send("2048")
    assert console.prompt == "R1(config)#"
