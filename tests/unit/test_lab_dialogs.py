"""Exec commands that ask first: reload, extended ping, confirmations, copy, configure."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.lab.cli import Session
from engine.lab.device import Device

if TYPE_CHECKING:
    from conftest import Console


def test_reload_with_unsaved_changes_offers_to_save_then_asks_to_proceed(
    console: Console,
) -> None:
    console.configure("hostname CHANGED")
    assert console.send("reload") == "\nSystem configuration has been modified. Save? [yes/no]: "
    assert console.prompt == ""
    assert console.send("maybe") == (
        "% Please answer 'yes' or 'no'.\nSystem configuration has been modified. Save? [yes/no]: "
    )
    assert console.send("no") == "Proceed with reload? [confirm]"
    reply = console.session.handle("")
    assert reply.close


def test_after_a_reload_the_device_runs_its_saved_configuration(console: Console) -> None:
    console.configure("hostname SAVED")
    console.send("write memory")
    console.configure("hostname UNSAVED")
    console.send("reload", "no", "")
    after = Session(console.device, "admin")
    assert after.prompt == "SAVED>"
    assert "hostname UNSAVED" not in console.device.running_text()


def test_saying_yes_saves_before_the_reload(console: Console) -> None:
    console.configure("hostname KEPT")
    assert console.send("reload", "yes") == (
        "Building configuration...\n[OK]\nProceed with reload? [confirm]"
    )
    console.send("")
    assert Session(console.device, "admin").prompt == "KEPT>"


def test_a_saved_device_only_asks_to_proceed_and_n_cancels(console: Console) -> None:
    assert console.send("reload") == "Proceed with reload? [confirm]"
    reply = console.session.handle("n")
    assert not reply.close
    assert console.prompt == "R1#"


def test_a_reload_restarts_the_uptime(
    console: Console, console_on: Callable[[Device], Console]
) -> None:
    console.send("reload", "")
    fresh = console_on(console.device)
    assert "R1 uptime is 0 minutes" in fresh.send("show version | include uptime")


def test_extended_ping_asks_each_parameter_with_its_default(console: Console) -> None:
    questions = console.outputs("ping", "", "10.255.0.1", "3", "", "", "y", "loopback0")
    assert questions == [
        "Protocol [ip]: ",
        "Target IP address: ",
        "Repeat count [5]: ",
        "Datagram size [100]: ",
        "Timeout in seconds [2]: ",
        "Extended commands [n]: ",
        "Source address or interface: ",
        "Type of service [0]: ",
    ]
    output = console.send("", "", "", "", "", "")
    assert output.startswith("Type escape sequence to abort.\nSending 3, 100-byte ICMP Echos")
    assert "Packet sent with a source address of 10.255.0.1 \n!!!\n" in output
    assert console.prompt == "R1#"


def test_extended_ping_stops_at_a_bad_answer(console: Console) -> None:
    assert console.send("ping", "ipx") == '% Unknown protocol - "ipx", type "ping ?" for help\n'
    assert console.send("ping", "", "") == "% Bad IP address\n"
    assert console.send("ping", "", "10.0.0.1", "lots") == (
        "% A decimal number between 1 and 2147483647.\n"
    )


def test_ping_options_on_one_line(console: Console) -> None:
    output = console.send("ping 192.168.100.254 repeat 80 size 1500 source gi0/0")
    assert "Sending 80, 1500-byte ICMP Echos to 192.168.100.254, timeout is 2 seconds:" in output
    assert "!" * 70 + "\n" + "!" * 10 + "\n" in output
    assert "Success rate is 100 percent (80/80)" in output
    assert "% Invalid source address" in console.send("ping 192.168.100.254 source 10.9.9.9")


def test_clear_counters_confirms_then_starts_the_counters_again(console: Console) -> None:
    assert console.send("clear counters") == (
        'Clear "show interface" counters on all interfaces [confirm]'
    )
    console.send("")
    counters = console.send("show interfaces gi0/0")
    assert '  Last clearing of "show interface" counters 00:00:0' in counters
    assert "     0 packets input, 0 bytes, 0 no buffer" in counters


def test_write_erase_confirms_and_leaves_no_startup_config(console: Console) -> None:
    assert console.send("write erase") == (
        "Erasing the nvram filesystem will remove all configuration files! Continue? [confirm]"
    )
    assert console.send("") == "[OK]\nErase of nvram: complete\n"
    assert console.send("show startup-config") == "startup-config is not present\n"


def test_copy_startup_config_running_config_merges_the_saved_lines(console: Console) -> None:
    console.configure("ntp server 192.0.2.9")
    console.send("write memory")
    console.configure("no ntp server 192.0.2.9", "ntp server 192.0.2.10")
    assert console.send("copy startup-config running-config") == (
        "Destination filename [running-config]? "
    )
    assert "bytes copied in" in console.send("")
    assert "\nntp server 192.0.2.10\nntp server 192.0.2.9\n" in console.running


def test_configure_alone_asks_where_from(console: Console) -> None:
    assert console.send("configure") == "Configuring from terminal, memory, or network [terminal]? "
    assert "Enter configuration commands" in console.send("")
    assert console.prompt == "R1(config)#"
