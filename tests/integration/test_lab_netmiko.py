"""netmiko's cisco_ios driver against simulated devices over real SSH on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from netmiko import (
    BaseConnection,
    ConnectHandler,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)

from engine.lab import DeviceSpec, Lab, LabError, LabKnobs

pytestmark = pytest.mark.lab

LabFactory = Callable[..., Lab]


def spec(name: str = "R1", **knobs: Any) -> DeviceSpec:
    return DeviceSpec(
        name, "admin", "pw", secret="en", address="192.168.100.1", knobs=LabKnobs(**knobs)
    )


def connect(lab: Lab, name: str = "R1", **options: Any) -> BaseConnection:
    host, port = lab.endpoint(name)
    params: dict[str, Any] = {
        "device_type": "cisco_ios",
        "host": host,
        "port": port,
        "username": "admin",
        "password": "pw",
        "secret": "en",
        "conn_timeout": 5,
        "allow_agent": False,
        "use_keys": False,
    }
    return ConnectHandler(**(params | options))


def hang_up(conn: BaseConnection) -> None:
    """Close the SSH connection without netmiko's polite exit, which waits for a prompt."""
    conn.remote_conn_pre.close()


def test_connect_enable_and_abbreviated_show(lab_factory: LabFactory) -> None:
    conn = connect(lab_factory([spec()]))
    assert conn.find_prompt() == "R1>"
    conn.enable()
    assert conn.find_prompt() == "R1#"
    assert "GigabitEthernet0/0     192.168.100.1   YES NVRAM  up" in conn.send_command(
        "sh ip int br"
    )
    conn.disconnect()


def test_each_device_listens_on_its_own_loopback_address(lab_factory: LabFactory) -> None:
    lab = lab_factory([spec("R1"), spec("R2")])
    assert [address for address, _port in lab.endpoints.values()] == ["127.0.1.1", "127.0.1.2"]
    conn = connect(lab, "R2")
    assert conn.find_prompt() == "R2>"
    conn.disconnect()


def test_a_config_set_changes_the_running_config(lab_factory: LabFactory) -> None:
    conn = connect(lab_factory([spec()]))
    conn.enable()
    output = conn.send_config_set(["interface gi0/2", "description set over ssh", "no shutdown"])
    assert "R1(config-if)#" in output
    assert " description set over ssh" in conn.send_command(
        "show running-config | section GigabitEthernet0/2"
    )
    conn.disconnect()


def test_save_config_writes_the_startup_config(lab_factory: LabFactory) -> None:
    conn = connect(lab_factory([spec()]))
    conn.enable()
    conn.send_config_set(["ntp server 10.0.0.9"])
    assert "ntp server" not in conn.send_command("show startup-config")
    assert "[OK]" in conn.save_config()
    assert conn.send_command("show startup-config | include ^ntp") == "ntp server 10.0.0.9"
    conn.disconnect()


def test_changes_outlive_the_session_that_made_them(lab_factory: LabFactory) -> None:
    lab = lab_factory([spec()])
    first = connect(lab)
    first.enable()
    first.send_config_set(["logging host 10.0.0.5"])
    first.disconnect()
    second = connect(lab)
    second.enable()
    assert second.send_command("sh run | i logging") == "logging host 10.0.0.5"
    second.disconnect()


def test_a_user_added_by_config_logs_in_at_its_privilege(lab_factory: LabFactory) -> None:
    lab = lab_factory([spec()])
    conn = connect(lab)
    conn.enable()
    conn.send_config_set(["username ops privilege 15 secret 0 ops-pw"])
    conn.disconnect()
    ops = connect(lab, username="ops", password="ops-pw")
    assert ops.find_prompt() == "R1#"
    ops.disconnect()


def test_a_fixed_port_is_shared_by_every_device_address(lab_factory: LabFactory) -> None:
    with socket.socket() as probe:  # a port that is free right now
        probe.bind(("127.0.7.1", 0))
        free = probe.getsockname()[1]
    lab = lab_factory([spec("R1"), spec("R2")], port=free, first_address="127.0.7.1")
    assert dict(lab.endpoints) == {"R1": ("127.0.7.1", free), "R2": ("127.0.7.2", free)}
    conn = connect(lab, "R2")
    assert conn.find_prompt() == "R2>"
    conn.disconnect()


def test_an_address_and_port_in_use_is_a_lab_error(lab_factory: LabFactory) -> None:
    _address, port = lab_factory([spec()]).endpoint("R1")
    with pytest.raises(LabError, match="in use"):
        lab_factory([spec()], port=port)


def test_a_wrong_password_is_an_authentication_failure(lab_factory: LabFactory) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        connect(lab_factory([spec()]), password="wrong")


def test_a_wrong_enable_secret_is_asked_again_then_refused_in_user_mode(
    lab_factory: LabFactory,
) -> None:
    conn = connect(lab_factory([spec()]), secret="wrong", read_timeout_override=1)
    # Like IOS, the device asks again instead of showing a prompt: netmiko times out.
    with pytest.raises((ValueError, ReadTimeout)):
        conn.enable()
    conn.write_channel("still wrong\n")
    conn.write_channel("\n")  # the third and last try
    assert "% Bad secrets" in conn.read_until_pattern(r"R1>")
    assert conn.find_prompt() == "R1>"
    hang_up(conn)


def test_refuse_refuses_the_tcp_connection(lab_factory: LabFactory) -> None:
    lab = lab_factory([spec(refuse=True)])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(lab.endpoint("R1"), timeout=2).close()
    with pytest.raises(NetmikoTimeoutException):
        connect(lab)


def test_reject_login_fails_every_login(lab_factory: LabFactory) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        connect(lab_factory([spec(reject_login=True)]))


def test_hang_before_banner_accepts_tcp_but_never_speaks_ssh(lab_factory: LabFactory) -> None:
    lab = lab_factory([spec(hang_before_banner=True)])
    with socket.create_connection(lab.endpoint("R1"), timeout=2) as sock:
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            sock.recv(100)
    with pytest.raises(NetmikoTimeoutException):
        connect(lab, conn_timeout=1, banner_timeout=1, auth_timeout=1)


def test_hang_on_prints_a_line_then_times_out(lab_factory: LabFactory) -> None:
    conn = connect(lab_factory([spec(hang_on="show tech")]))
    conn.enable()
    with pytest.raises(ReadTimeout):
        conn.send_command("sh tech", read_timeout=1)
    hang_up(conn)


def test_drop_after_closes_the_session(lab_factory: LabFactory) -> None:
    conn = connect(lab_factory([spec(drop_after=2)]))
    conn.send_command("show clock")
    conn.send_command("show version")
    deadline = time.monotonic() + 2
    while conn.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not conn.is_alive()
    with pytest.raises((OSError, ReadException, ReadTimeout)):
        conn.send_command("show clock", read_timeout=2)


def test_reject_answers_invalid_input(lab_factory: LabFactory) -> None:
    conn = connect(lab_factory([spec(reject=["show clock"])]))
    assert "% Invalid input detected at '^' marker." in conn.send_command("sh clock")
    assert "uptime is" in conn.send_command("show version")
    conn.disconnect()


def test_delays_slow_down_login_and_commands(lab_factory: LabFactory) -> None:
    lab = lab_factory([spec(connect_delay=0.6, command_delay=0.3)])
    started = time.monotonic()
    conn = connect(lab)
    assert time.monotonic() - started >= 0.6
    started = time.monotonic()
    conn.send_command("show clock")
    assert time.monotonic() - started >= 0.3
    conn.disconnect()
