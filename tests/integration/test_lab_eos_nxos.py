"""netmiko's and scrapli's EOS and NX-OS drivers, and netplay itself, against the lab's
switches over real SSH on loopback, unchanged."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from netmiko import BaseConnection, ConfigInvalidException, ConnectHandler
from scrapli.driver.core import EOSDriver, NXOSDriver

from engine.cli import main
from engine.drivers import error_pattern
from engine.lab import DeviceSpec, Lab

pytestmark = pytest.mark.lab

LabFactory = Callable[..., Lab]
PLATFORMS = ("arista_eos", "cisco_nxos")
LOOPBACK = {"arista_eos": "interface Loopback7", "cisco_nxos": "interface loopback7"}


def switch_lab(lab_factory: LabFactory, platform: str, **spec: Any) -> Lab:
    return lab_factory([DeviceSpec("sw1", "admin", "pw", platform=platform, **spec)])


@contextlib.contextmanager
def netmiko(lab: Lab, platform: str, **options: Any) -> Iterator[BaseConnection]:
    host, port = lab.endpoint("sw1")
    conn = ConnectHandler(
        device_type=platform, host=host, port=port, username="admin", password="pw",
        conn_timeout=10, allow_agent=False, use_keys=False, **options,
    )  # fmt: skip
    try:
        yield conn
    finally:
        conn.disconnect()


# netmiko finds ntc-templates' index with importlib.resources.path, deprecated upstream.
@pytest.mark.filterwarnings("ignore:path is deprecated:DeprecationWarning")
@pytest.mark.parametrize("platform", PLATFORMS)
def test_netmiko_connects_and_parses_show_version(lab_factory: LabFactory, platform: str) -> None:
    with netmiko(switch_lab(lab_factory, platform), platform) as conn:
        conn.enable()
        assert conn.find_prompt() == "sw1#"
        [version] = conn.send_command("show version", use_textfsm=True)
        assert isinstance(version, dict)
        assert version.get("model", version.get("platform")) in ("vEOS-lab", "C9300v")


def test_netmiko_enables_eos_with_the_secret(lab_factory: LabFactory) -> None:
    lab = switch_lab(lab_factory, "arista_eos", secret="en")
    with netmiko(lab, "arista_eos", secret="en") as conn:
        assert conn.find_prompt() == "sw1>"
        conn.enable()
        assert conn.find_prompt() == "sw1#"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_netmiko_config_set_shows_in_the_running_config_and_saves(
    lab_factory: LabFactory, platform: str
) -> None:
    with netmiko(switch_lab(lab_factory, platform), platform) as conn:
        conn.enable()
        conn.send_config_set(
            [LOOPBACK[platform], "description set by netmiko", "ntp server 10.9.9.9"]
        )
        running = conn.send_command("show running-config")
        assert "description set by netmiko" in running
        assert "ntp server 10.9.9.9" in running
        assert "Copy complete" in conn.save_config()
        assert "ntp server 10.9.9.9" in conn.send_command("show startup-config")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_misspelt_line_trips_the_drivers_error_pattern(
    lab_factory: LabFactory, platform: str
) -> None:
    with netmiko(switch_lab(lab_factory, platform), platform) as conn:
        conn.enable()
        with pytest.raises(ConfigInvalidException):
            conn.send_config_set(
                ["ntp srver 10.9.9.9"], error_pattern=error_pattern(platform).pattern
            )
        conn.exit_config_mode()
        assert "10.9.9.9" not in conn.send_command("show running-config")


def test_an_eos_config_session_commits_over_ssh(lab_factory: LabFactory) -> None:
    with netmiko(switch_lab(lab_factory, "arista_eos"), "arista_eos") as conn:
        conn.enable()
        conn.send_config_set(
            ["ntp server 10.8.8.8", "commit"], config_mode_command="configure session netplay"
        )
        assert "ntp server 10.8.8.8" in conn.send_command("show running-config | include ntp")


SCRAPLI = {"arista_eos": EOSDriver, "cisco_nxos": NXOSDriver}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_scrapli_opens_sends_and_configures(lab_factory: LabFactory, platform: str) -> None:
    host, port = switch_lab(lab_factory, platform, secret="en").endpoint("sw1")
    conn = SCRAPLI[platform](
        host=host, port=port, auth_username="admin", auth_password="pw", auth_secondary="en",
        auth_strict_key=False, transport="paramiko",
        timeout_socket=10, timeout_transport=10, timeout_ops=10,
    )  # fmt: skip
    conn.open()
    try:
        assert conn.get_prompt().rstrip() == "sw1#"
        assert not conn.send_command("show version").failed
        assert not conn.send_configs([LOOPBACK[platform], "description by scrapli"]).failed
        assert "description by scrapli" in conn.send_command("show running-config").result
        assert conn.send_command("show nonsense").failed
    finally:
        with contextlib.suppress(EOFError):
            conn.close()


INVENTORY = """
defaults:
  username: admin
  password: pw
hosts:
  sw1: {host: 192.0.2.11, platform: arista_eos}
  nx1: {host: 192.0.2.12, platform: cisco_nxos}
"""
PLAYBOOK = """
name: Switches
hosts: all
steps:
  - name: Set NTP
    config:
      - ntp server 10.0.0.1
  - name: Check
    send: show running-config | include ntp
    register: ntp
"""


def test_netplay_runs_a_playbook_on_eos_and_nxos_in_the_lab(tmp_path: Path) -> None:
    (tmp_path / "inv.yml").write_text(INVENTORY)
    (tmp_path / "book.yml").write_text(PLAYBOOK)
    results = tmp_path / "r.json"
    code = main(["run", str(tmp_path / "book.yml"), "-i", str(tmp_path / "inv.yml"), "--lab",
                 "--results", str(results)])  # fmt: skip
    assert code == 0
    last = json.loads(results.read_text())["steps"][-1]["results"]
    assert {r["host"]: r["output"].strip() for r in last} == {
        "sw1": "ntp server 10.0.0.1",
        "nx1": "ntp server 10.0.0.1",
    }
