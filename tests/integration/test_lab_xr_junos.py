"""netmiko's and scrapli's IOS-XR and Junos drivers, unchanged, against the lab over SSH."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from netmiko import BaseConnection, ConnectHandler
from scrapli.driver.core import IOSXRDriver, JunosDriver

from engine.lab import DeviceSpec, Lab, LabKnobs

pytestmark = pytest.mark.lab

LabFactory = Callable[..., Lab]
_REJECTED = {"cisco_xr": "ntp server 192.0.2.9", "juniper_junos": "set system ntp server 192.0.2.9"}
# A change each platform takes, and how its configuration shows it afterwards.
_CHANGE = {
    "cisco_xr": (["interface GigabitEthernet0/0/0/3", "description set by netmiko"],
                 "show running-config interface GigabitEthernet0/0/0/3",
                 " description set by netmiko"),
    "juniper_junos": (['set interfaces ge-0/0/3 description "set by netmiko"'],
                      "show configuration interfaces ge-0/0/3", 'description "set by netmiko";'),
}  # fmt: skip


def start(lab_factory: LabFactory, platform: str) -> Lab:
    knobs = LabKnobs(reject=(_REJECTED[platform],))
    return lab_factory([DeviceSpec("R1", "admin", "pw", platform=platform, knobs=knobs)])


@pytest.fixture(params=["cisco_xr", "juniper_junos"])
def conn(request: pytest.FixtureRequest, lab_factory: LabFactory) -> Iterator[BaseConnection]:
    platform: str = request.param
    host, port = start(lab_factory, platform).endpoint("R1")
    params: dict[str, Any] = {"device_type": platform, "host": host, "port": port,
                              "username": "admin", "password": "pw", "conn_timeout": 10,
                              "allow_agent": False, "use_keys": False}  # fmt: skip
    connection = ConnectHandler(**params)
    yield connection
    connection.disconnect()


def test_netmiko_connects_and_finds_the_platform_prompt(conn: BaseConnection) -> None:
    expected = {"cisco_xr": "RP/0/RP0/CPU0:R1#", "juniper_junos": "admin@R1>"}
    assert conn.find_prompt() == expected[conn.device_type.removesuffix("_ssh")]


# netmiko finds ntc-templates with an importlib call Python deprecates; not ours to fix.
@pytest.mark.filterwarnings("ignore:path is deprecated:DeprecationWarning")
def test_netmiko_parses_show_version_and_interfaces_with_textfsm(conn: BaseConnection) -> None:
    xr = conn.device_type.startswith("cisco_xr")
    version = conn.send_command("show version", use_textfsm=True)
    assert isinstance(version, list)
    assert version[0]["version" if xr else "junos_version"] in ("7.3.2", "21.4R3.15")
    interfaces = conn.send_command(
        "show ipv4 interface brief" if xr else "show interfaces", use_textfsm=True
    )
    assert isinstance(interfaces, list)
    names = [record["interface"] for record in interfaces]
    assert ("GigabitEthernet0/0/0/0" if xr else "ge-0/0/0") in names


def test_netmiko_config_set_then_commit_applies_the_change(conn: BaseConnection) -> None:
    lines, show, expected = _CHANGE[conn.device_type.removesuffix("_ssh")]
    conn.send_config_set(lines)
    assert expected not in conn.send_command(show)  # not before the commit
    conn.commit()
    conn.exit_config_mode()
    assert expected in conn.send_command(show)


def test_netmiko_commit_of_a_rejected_line_raises_and_applies_nothing(
    conn: BaseConnection,
) -> None:
    platform = conn.device_type.removesuffix("_ssh")
    lines, show, expected = _CHANGE[platform]
    conn.send_config_set([*lines, _REJECTED[platform]])
    with pytest.raises(ValueError, match="Commit failed"):
        conn.commit()
    conn.exit_config_mode()  # with the changes still uncommitted
    assert not conn.check_config_mode()
    assert expected not in conn.send_command(show)


def test_scrapli_ios_xr_driver_sends_commands_and_configs(lab_factory: LabFactory) -> None:
    host, port = start(lab_factory, "cisco_xr").endpoint("R1")
    driver = IOSXRDriver(host=host, port=port, auth_username="admin", auth_password="pw",
                         auth_strict_key=False, transport="paramiko", timeout_socket=10,
                         timeout_transport=10, timeout_ops=10)  # fmt: skip
    driver.open()
    try:
        assert driver.get_prompt() == "RP/0/RP0/CPU0:R1#"
        assert "Cisco IOS XR Software" in driver.send_command("show version").result
        response = driver.send_configs(["hostname R1", "commit"])
        assert not response.failed
        assert driver.send_command("show nonsense").failed
    finally:
        with contextlib.suppress(EOFError):
            driver.close()


def test_scrapli_junos_driver_sends_commands_and_configs(lab_factory: LabFactory) -> None:
    host, port = start(lab_factory, "juniper_junos").endpoint("R1")
    driver = JunosDriver(host=host, port=port, auth_username="admin", auth_password="pw",
                         auth_strict_key=False, transport="paramiko", timeout_socket=10,
                         timeout_transport=10, timeout_ops=10)  # fmt: skip
    driver.open()
    try:
        assert driver.get_prompt() == "admin@R1>"
        assert driver.send_command("show version").result.startswith("Hostname: R1")
        response = driver.send_configs(["set system domain-name lab.example", "commit"])
        assert not response.failed
        shown = driver.send_command("show configuration system domain-name").result
        assert "domain-name lab.example;" in shown
        assert driver.send_command("show nonsense").failed
    finally:
        with contextlib.suppress(EOFError):
            driver.close()
