"""The netmiko driver over real SSH against the lab: outputs, questions, faults, host keys, logs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from netmiko import ConnectHandler

from engine.drivers import ConnectionSettings
from engine.drivers.netmiko import NetmikoDriver, session_log_path
from engine.errors import CommandTimeout, DeviceError, SessionLost, Unreachable
from engine.inventory import Host
from engine.lab import DeviceSpec, Lab, LabKnobs
from engine.secrets import Mask

pytestmark = pytest.mark.lab

LabFactory = Callable[..., Lab]
PASSWORD = "pw-Quokka-7731"
SECRET = "en-Wombat-5529"
# Commands whose output does not move with the clock, so two sessions must agree exactly.
STABLE_COMMANDS = [
    "show ip interface brief",
    "show running-config",
    "sh ip int br | include up",
    "show bogus",
    "show inventory",
    "show ip route",
    "show startup-config",
    "terminal length 0",
    "",
]


def spec(name: str = "R1", **knobs: Any) -> DeviceSpec:
    return DeviceSpec(name, "netops", PASSWORD, secret=SECRET, knobs=LabKnobs(**knobs))


def host(lab: Lab, name: str = "R1", **fields: Any) -> Host:
    address, port = lab.endpoint(name)
    return Host(name, address, port, username="netops", password=PASSWORD, secret=SECRET, **fields)


def test_outputs_equal_what_netmiko_send_command_returns(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    lab = lab_factory([spec()])
    driver = opened(host(lab))
    address, port = lab.endpoint("R1")
    conn = ConnectHandler(
        device_type="cisco_ios",
        host=address,
        port=port,
        username="netops",
        password=PASSWORD,
        secret=SECRET,
    )
    try:
        conn.enable()
        for command in STABLE_COMMANDS:
            assert driver.send(command).output == conn.send_command(command), command
    finally:
        conn.disconnect()


def test_a_command_that_hangs_fails_with_the_last_text_received(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec(hang_on="show version")])))
    started = time.monotonic()
    with pytest.raises(CommandTimeout) as caught:
        driver.send("show version", timeout=1)
    assert time.monotonic() - started < 3
    message = caught.value.message
    assert "'show version' timed out after 1s without a prompt" in message
    assert "Cisco IOS Software" in message  # the first line the device sent before hanging


def test_closing_from_another_thread_abandons_a_command_in_flight_at_once(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec(hang_on="show version")])))
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            driver.send("show version", timeout=30)
        except SessionLost as exc:
            failures.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    driver.close()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - started < 1
    assert len(failures) == 1 and "Cisco IOS Software" in str(failures[0])


def test_a_dropped_session_is_reported_at_once_not_after_the_timeout(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec(drop_after=2)])))
    assert "GigabitEthernet0/0" in driver.send("show ip interface brief").output
    started = time.monotonic()
    with pytest.raises(SessionLost):
        driver.send("show clock", timeout=30)
    assert time.monotonic() - started < 3


def test_the_driver_opens_again_after_a_dropped_session(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec(drop_after=2)])))
    driver.send("show clock")
    with pytest.raises(SessionLost):
        driver.send("show clock")
    driver.close()
    driver.open()
    assert driver.send("show clock").output.endswith(time.strftime("%Y"))


def test_answers_reply_to_a_question_and_the_command_ends_at_the_prompt(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec()])))
    reply = driver.send(
        "copy running-config startup-config",
        answers={r"Destination filename \[startup-config\]\?": ""},
    )
    assert reply.error is None
    assert reply.output.startswith("Destination filename [startup-config]?")
    assert reply.output.endswith("[OK]")


def test_expect_ends_a_command_at_the_pattern_instead_of_the_prompt(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec()])))
    asked = driver.send("copy running-config startup-config", expect=r"filename \[\S+\]\?")
    assert asked.output == "Destination filename [startup-config]? "
    confirmed = driver.send("")  # Enter takes the default, then the prompt comes back
    assert confirmed.output.strip().endswith("[OK]")


def test_expect_also_ends_at_the_prompt_when_the_device_asks_nothing(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec()])))
    started = time.monotonic()
    reply = driver.send("write memory", expect=r"filename \[\S+\]\?", timeout=5)
    assert reply.output == "Building configuration...\n[OK]"
    assert time.monotonic() - started < 2


def test_save_writes_the_running_config_to_startup(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec()])))
    driver.configure(["ntp server 192.0.2.77"])
    assert "192.0.2.77" not in driver.send("show startup-config").output
    reply = driver.save()
    assert (reply.output, reply.error) == ("Building configuration...\n[OK]", None)
    assert "ntp server 192.0.2.77" in driver.send("show startup-config").output


def test_configure_stops_at_the_first_refused_line(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec()])))
    reply = driver.configure(["logging host 192.0.2.9", "ntp servr 192.0.2.1", "ip domain-name x"])
    assert reply.error == "% Invalid input detected at '^' marker."
    assert "logging host 192.0.2.9" in reply.output
    assert "ip domain-name" not in reply.output
    assert driver.prompt == "R1#"  # config mode was left


def test_a_multi_line_banner_is_typed_in_text_mode_up_to_its_delimiter(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec()])))
    lines = ["banner motd #", "Authorized access only.", "% Errors are not errors here", "#"]
    reply = driver.configure([*lines, "ntp server 192.0.2.5"], timeout=5)
    assert reply.error is None, reply.output
    running = driver.send("show running-config").output
    assert "banner motd ^C\nAuthorized access only.\n% Errors are not errors here\n^C" in running
    assert "ntp server 192.0.2.5" in running  # back at the prompt after the delimiter


def test_error_patterns_from_the_playbook_refuse_a_line_too(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec()])))
    lines = ["do show ip interface brief", "ntp server 192.0.2.1"]
    assert driver.configure(lines).error is None
    reply = driver.configure(lines, error_patterns=[r"administratively down"])
    assert reply.error is not None and "administratively down" in reply.error
    assert "ntp server" not in reply.output


def test_a_hostname_change_moves_the_prompt_the_next_commands_wait_for(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    driver = opened(host(lab_factory([spec()])))
    reply = driver.configure(["hostname CORE-9"])
    assert reply.output.endswith("CORE-9#")
    assert driver.prompt == "CORE-9#"
    assert driver.send("show running-config | include hostname").output == "hostname CORE-9"


# --- host keys -------------------------------------------------------------------------------


def known_line(lab: Lab, name: str, key_text: str) -> str:
    address, port = lab.endpoint(name)
    return f"[{address}]:{port} {key_text}\n"


def other_key() -> str:
    key = asyncssh.generate_private_key("ssh-ed25519")
    return bytes(key.export_public_key("openssh")).decode().split(" comment")[0].strip()


def policy(kind: str, known: Path) -> ConnectionSettings:
    return ConnectionSettings(connect_timeout=5, host_key_policy=kind, known_hosts=known)  # type: ignore[arg-type]


def test_accept_new_remembers_an_unknown_key_and_trusts_it_next_time(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver], tmp_path: Path
) -> None:
    lab, known = lab_factory([spec()]), tmp_path / "ssh" / "known_hosts"
    opened(host(lab), policy("accept-new", known)).close()
    lines = known.read_text().splitlines()
    address, port = lab.endpoint("R1")
    assert len(lines) == 1 and lines[0].startswith(f"[{address}]:{port} ssh-ed25519 ")
    assert known.stat().st_mode & 0o777 == 0o600
    opened(host(lab), policy("accept-new", known))
    assert known.read_text().splitlines() == lines


def test_a_changed_host_key_is_refused_and_named(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver], tmp_path: Path
) -> None:
    lab, known = lab_factory([spec()]), tmp_path / "known_hosts"
    known.write_text(known_line(lab, "R1", other_key()))
    with pytest.raises(Unreachable) as caught:
        opened(host(lab), policy("accept-new", known))
    message = caught.value.message
    address, port = lab.endpoint("R1")
    assert f"host key for [{address}]:{port} changed" in message
    assert "remove its line" in message and str(known) in message
    assert PASSWORD not in message


def test_strict_refuses_a_host_that_is_not_known(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver], tmp_path: Path
) -> None:
    lab, known = lab_factory([spec()]), tmp_path / "known_hosts"
    with pytest.raises(Unreachable, match=r"is not in .* strict"):
        opened(host(lab), policy("strict", known))
    assert not known.exists()


def test_strict_accepts_a_host_accept_new_remembered(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver], tmp_path: Path
) -> None:
    lab, known = lab_factory([spec()]), tmp_path / "known_hosts"
    opened(host(lab), policy("accept-new", known)).close()
    driver = opened(host(lab), policy("strict", known))
    assert "GigabitEthernet0/0" in driver.send("sh ip int br").output


def test_off_checks_nothing_and_writes_nothing(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver], tmp_path: Path
) -> None:
    lab, known = lab_factory([spec()]), tmp_path / "known_hosts"
    stale = known_line(lab, "R1", other_key())
    known.write_text(stale)
    opened(host(lab), policy("off", known))
    assert known.read_text() == stale


def test_accept_new_records_each_of_many_hosts_connecting_at_once(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    names = [f"R{i}" for i in range(1, 21)]
    lab, known = lab_factory([spec(name) for name in names]), tmp_path / "known_hosts"
    drivers = [NetmikoDriver(host(lab, n), policy("accept-new", known)) for n in names]
    threads = [threading.Thread(target=d.open) for d in drivers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert all(d.prompt is not None for d in drivers)
    finally:
        for driver in drivers:
            driver.close()
    entries = sorted(line.split()[0] for line in known.read_text().splitlines())
    expected = sorted("[{}]:{}".format(*lab.endpoint(n)) for n in names)
    assert entries == expected


# --- session logs ----------------------------------------------------------------------------


def test_session_logs_hold_the_conversation_with_every_secret_masked(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver], tmp_path: Path
) -> None:
    community, token = "Community-Okapi-4410", "tok-Narwhal-8812"
    lab, logs = lab_factory([spec()]), tmp_path / "logs"
    mask = Mask.of([community])
    settings = ConnectionSettings(host_key_policy="off", session_log_dir=logs, mask=mask)
    target = host(lab, vars={"api_token": token}, options={})
    driver = opened(target, settings)
    driver.configure([f"snmp-server community {community} RO", f"banner motd ^{token} {PASSWORD}^"])
    driver.send(f"show running-config | include {community}")
    driver.send(f"show {SECRET}")  # a secret in a rejected command comes back in the echo
    driver.close()
    driver.open()  # a reconnect appends to the same log
    driver.send("show ip interface brief")
    driver.close()
    text = session_log_path(logs, "R1").read_text()
    assert "snmp-server community ******** RO" in text
    assert text.count("show ip interface brief") == 1 and "configure terminal" in text
    for secret in (community, token, PASSWORD, SECRET):
        assert secret not in text


def test_session_logs_are_private_and_never_written_through_a_planted_link(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver], tmp_path: Path
) -> None:
    lab, logs = lab_factory([spec("R1"), spec("R2")]), tmp_path / "logs"
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    logs.mkdir()
    session_log_path(logs, "R2").symlink_to(victim)
    settings = ConnectionSettings(host_key_policy="off", session_log_dir=logs)
    driver = opened(host(lab), settings)
    driver.send("show clock")
    driver.close()
    assert session_log_path(logs, "R1").stat().st_mode & 0o777 == 0o600
    refused = NetmikoDriver(host(lab, name="R2"), settings)
    with pytest.raises(DeviceError, match=r"session log: refusing to write .*R2\.log: it is a sym"):
        refused.open()
    assert victim.read_text() == "untouched\n"
