"""The netmiko internals engine/drivers/netmiko.py and channel.py rely on, one test each.

netmiko is pinned to the minor release these were checked against (pyproject.toml); a
release that changes one fails the test that names it. Hooks that need a device use the
lab over loopback.
"""

from __future__ import annotations

import inspect
import logging
import re
import socket
import tomllib
from collections.abc import Callable, Iterator
from contextlib import suppress
from importlib.metadata import version
from pathlib import Path
from typing import Any

import paramiko
import pytest
from netmiko import ConnectHandler
from netmiko.base_connection import BaseConnection
from netmiko.session_log import SessionLog

from engine.drivers.channel import ChannelReader
from engine.lab import DeviceSpec, Lab
from engine.netmiko_args import NETMIKO_ARGUMENTS

LabFactory = Callable[..., Lab]
PASSWORD, SECRET = "pw-Ibex-2291", "en-Marmot-6604"
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def unopened(port: int = 22, **options: Any) -> BaseConnection:
    """A cisco_ios connection built as the driver builds it: nothing is opened."""
    params: dict[str, Any] = {
        "device_type": "cisco_ios",
        "host": "127.0.0.1",
        "port": port,
        "username": "netops",
        "password": PASSWORD,
        "secret": SECRET,
        "conn_timeout": 5,
        "allow_agent": False,
        "use_keys": False,
    }
    return ConnectHandler(**(params | options), auto_connect=False)


@pytest.fixture
def device(lab_factory: LabFactory) -> Iterator[BaseConnection]:
    """An unopened connection to a lab device R1; closed after the test."""
    lab = lab_factory([DeviceSpec("R1", "netops", PASSWORD, secret=SECRET)])
    conn = unopened(lab.endpoint("R1")[1], host=lab.endpoint("R1")[0])
    yield conn
    with suppress(Exception):  # not opened at all if the test failed early
        conn.paramiko_cleanup()
    conn.disconnect()  # now quick: drops netmiko's secrets filter


def read_until(conn: BaseConnection, pattern: str) -> str:
    """The channel's text up to `pattern`, read with netmiko's own public reader."""
    return str(conn.read_until_pattern(pattern=pattern, read_timeout=5))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_netmiko_is_held_to_the_minor_release_these_hooks_were_checked_against() -> None:
    major, minor = version("netmiko").split(".")[:2]
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    (pin,) = (spec for spec in dependencies if re.match(r"netmiko\b", spec))
    assert pin.replace(" ", "") == f"netmiko>={major}.{minor},<{major}.{int(minor) + 1}"


def test_the_inventory_checks_options_against_exactly_the_arguments_base_connection_takes() -> None:
    parameters = set(inspect.signature(BaseConnection.__init__).parameters) - {"self"}
    assert set(NETMIKO_ARGUMENTS) == parameters


def test_auto_connect_false_builds_a_connection_without_opening_it() -> None:
    conn = unopened(closed_port())  # opening would be refused
    assert conn.remote_conn is None and conn.base_prompt == ""
    conn.disconnect()


def test_open_is_modify_connection_params_then_establish_connection_then_preparation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The driver's _connect runs the first two itself and prepares the session its own way.
    conn, calls = unopened(), []
    for hook in ("_modify_connection_params", "establish_connection", "_try_session_preparation"):
        monkeypatch.setattr(conn, hook, lambda *_, name=hook: calls.append(name))
    conn._open()
    assert calls == [
        "_modify_connection_params",
        "establish_connection",
        "_try_session_preparation",
    ]
    conn.disconnect()


def test_modify_connection_params_needs_no_argument_and_leaves_cisco_ios_unchanged() -> None:
    conn = unopened()
    before = dict(vars(conn))
    conn._modify_connection_params()
    assert vars(conn).keys() == before.keys()
    assert {k for k in before if vars(conn)[k] is not before[k]} == set()
    conn.disconnect()


@pytest.mark.lab
def test_establish_connection_opens_a_paramiko_channel_and_leaves_preparation_to_us(
    device: BaseConnection,
) -> None:
    device._modify_connection_params()
    device.establish_connection()
    assert isinstance(device.remote_conn, paramiko.Channel)
    assert device.base_prompt == ""  # no prompt discovery, no terminal commands
    device.write_channel(device.RETURN)
    assert read_until(device, r"R1>").strip().endswith("R1>")


@pytest.mark.lab
def test_establish_connection_takes_its_ssh_client_from_get_ssh_client_instance(
    device: BaseConnection,
) -> None:
    client = paramiko.SSHClient()
    device._get_ssh_client_instance = lambda: client  # type: ignore[method-assign]
    device.establish_connection()
    assert device.remote_conn_pre is client
    assert (
        device.remote_conn is not None
        and device.remote_conn.get_transport() is client.get_transport()
    )


class Recording(paramiko.MissingHostKeyPolicy):  # type: ignore[misc]  # paramiko is untyped
    def __init__(self) -> None:
        self.asked: list[str] = []

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: Any) -> None:
        self.asked.append(hostname)


@pytest.mark.lab
def test_establish_connection_asks_key_policy_about_an_unknown_host_key(
    device: BaseConnection,
) -> None:
    policy = Recording()
    device.key_policy = policy
    device.establish_connection()
    assert len(policy.asked) == 1 and device.host in policy.asked[0]


@pytest.mark.lab
def test_try_session_preparation_learns_the_base_prompt(device: BaseConnection) -> None:
    device.establish_connection()
    device._try_session_preparation()
    assert device.base_prompt == "R1"


@pytest.mark.lab
def test_a_base_prompt_set_by_hand_is_what_config_mode_and_exit_config_mode_wait_for(
    device: BaseConnection,
) -> None:
    device.establish_connection()
    device.write_channel(device.normalize_cmd("enable"))
    read_until(device, r"[Pp]assword:")
    device.write_channel(device.normalize_cmd(SECRET))
    read_until(device, r"R1#")
    device.base_prompt = "R1"  # as the driver's _adopt_prompt does, without netmiko's discovery
    entered = device.config_mode()
    left = device.exit_config_mode()
    assert "configure terminal" in entered and entered.rstrip().endswith("R1(config)#")
    assert left.rstrip().endswith("R1#")


def test_normalize_cmd_ends_a_command_with_exactly_one_return() -> None:
    conn = unopened()
    assert conn.normalize_cmd("show clock  \n") == "show clock" + conn.RETURN
    assert conn.normalize_cmd("") == conn.RETURN
    conn.disconnect()


def test_return_is_a_line_feed_over_ssh() -> None:
    conn = unopened()
    assert conn.RETURN == "\n"
    conn.disconnect()


@pytest.mark.lab
def test_paramiko_cleanup_closes_the_channel_and_the_client(device: BaseConnection) -> None:
    device.establish_connection()
    channel, client = device.remote_conn, device.remote_conn_pre
    assert isinstance(channel, paramiko.Channel) and isinstance(client, paramiko.SSHClient)
    device.paramiko_cleanup()
    assert device.remote_conn is None and device.remote_conn_pre is None
    assert channel.closed and client.get_transport() is None


def test_a_session_log_object_is_used_as_given_and_opened(tmp_path: Path) -> None:
    log = SessionLog(file_name=str(tmp_path / "R1.log"), file_mode="write", no_log={})
    conn = unopened(session_log=log)
    assert conn.session_log is log and (tmp_path / "R1.log").is_file()
    conn.disconnect()


def test_disconnect_closes_the_session_log_and_drops_the_secrets_filter(tmp_path: Path) -> None:
    log = SessionLog(file_name=str(tmp_path / "R1.log"), file_mode="write", no_log={})
    netmiko_log = logging.getLogger("netmiko")
    conn = unopened(session_log=log)
    assert conn._secrets_filter in netmiko_log.filters
    conn.disconnect()
    assert conn._secrets_filter not in netmiko_log.filters
    assert log.session_log is None  # the file is closed and let go


def test_session_log_masks_every_no_log_value_even_split_across_writes(tmp_path: Path) -> None:
    path = tmp_path / "R1.log"
    log = SessionLog(file_name=str(path), file_mode="write", no_log={"s0": SECRET, "s1": "tok"})
    log.open()
    for chunk in ("enable\nPassword: ", SECRET[:5], SECRET[5:] + "\nR1#", "show tok\n"):
        log.write(chunk)
    log.close()
    assert path.read_text() == "enable\nPassword: ********\nR1#show ********\n"


def test_session_log_in_append_mode_keeps_the_earlier_log(tmp_path: Path) -> None:
    path = tmp_path / "R1.log"
    path.write_text("first session\n")
    log = SessionLog(file_name=str(path), file_mode="append", no_log={})
    log.open()
    log.write("second session\n")
    log.close()
    assert path.read_text() == "first session\nsecond session\n"


class Text:
    """Stands in for netmiko's SSHChannel: hands over one piece of text, then nothing."""

    def __init__(self, text: str) -> None:
        self.text = text

    def read_channel(self) -> str:
        text, self.text = self.text, ""
        return text


class Written:
    def __init__(self) -> None:
        self.chunks: list[str] = []

    def write(self, data: str) -> None:
        self.chunks.append(data)


@pytest.mark.parametrize("ansi", [False, True], ids=["plain", "ansi-codes"])
def test_read_channel_processes_text_as_the_channel_reader_does(ansi: bool) -> None:
    # ChannelReader reads the paramiko channel itself, then repeats read_channel's steps:
    # normalize_linefeeds, strip_ansi_escape_codes when ansi_escape_codes, session_log.write.
    raw = "show clock\r\r\n\x1b[1m*10:00:00.000 UTC\x1b[0m\r\nR1#"
    conn, theirs, ours = unopened(), Written(), Written()
    conn.ansi_escape_codes = ansi
    conn.channel, conn.session_log = Text(raw), theirs
    from_netmiko = conn.read_channel()
    conn.session_log = ours
    assert ChannelReader(conn)._process(raw) == from_netmiko
    assert ours.chunks == theirs.chunks == [from_netmiko]
    assert re.search(r"\r", from_netmiko) is None
    conn.session_log = None
    conn.disconnect()
