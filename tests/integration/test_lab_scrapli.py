"""scrapli's IOS-XE driver (classic, paramiko transport) against the lab, unchanged.

scrapli writes a command, waits for its echo, then sends the newline: a lab that echoed
only at Enter could not even open a session with it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
from scrapli.driver.core import IOSXEDriver

from engine.lab import DeviceSpec, Lab

pytestmark = pytest.mark.lab

LabFactory = Callable[..., Lab]


@pytest.fixture
def driver(lab_factory: LabFactory) -> Iterator[IOSXEDriver]:
    lab = lab_factory([DeviceSpec("R1", "admin", "pw", secret="en")])
    host, port = lab.endpoint("R1")
    conn = IOSXEDriver(
        host=host,
        port=port,
        auth_username="admin",
        auth_password="pw",
        auth_secondary="en",
        auth_strict_key=False,  # nothing is written to the user's known_hosts
        transport="paramiko",
        timeout_socket=10,
        timeout_transport=10,
        timeout_ops=10,
    )
    conn.open()  # logs in, acquires privilege exec, sends `terminal width/length`
    yield conn
    # IOS, like the lab, may close the session as scrapli says goodbye; paramiko then
    # reports the end of the stream it was still reading: that is not a failure.
    with contextlib.suppress(EOFError):
        conn.close()


def test_scrapli_opens_a_session_in_privilege_exec(driver: IOSXEDriver) -> None:
    assert driver.get_prompt() == "R1#"


def test_scrapli_send_command(driver: IOSXEDriver) -> None:
    response = driver.send_command("show version")
    assert not response.failed
    assert response.result.startswith("Cisco IOS Software")


def test_scrapli_send_configs_then_reads_them_back(driver: IOSXEDriver) -> None:
    response = driver.send_configs(["interface Loopback7", "description set by scrapli"])
    assert not response.failed
    running = driver.send_command("show running-config interface Loopback7").result
    assert " description set by scrapli" in running


def test_scrapli_acquire_priv_moves_between_exec_and_privilege_exec(
    driver: IOSXEDriver,
) -> None:
    driver.acquire_priv("exec")
    assert driver.get_prompt() == "R1>"
    driver.acquire_priv("privilege_exec")
    assert driver.get_prompt() == "R1#"
    driver.acquire_priv("configuration")
    assert driver.get_prompt() == "R1(config)#"


def test_scrapli_reports_a_rejected_command_as_failed(driver: IOSXEDriver) -> None:
    assert driver.send_command("show nonsense").failed
