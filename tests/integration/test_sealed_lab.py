"""`--lab` is sealed: an inventory's connection options cannot send a session off loopback
or make it run a command; they are dropped, named in one warning, and the run still
reaches the simulated devices."""

from __future__ import annotations

import ipaddress
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main

pytestmark = pytest.mark.lab
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
PLAYBOOK = "name: Clock\nhosts: all\nsteps:\n  - {name: Clock, send: show clock}\n"


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever netplay does, this process connects to nothing outside 127.0.0.0/8."""
    real = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        inet = self.family in (socket.AF_INET, socket.AF_INET6)
        if inet and ipaddress.ip_address(address[0]) not in LOOPBACK:
            raise OSError(f"test guard: refused a connection to {address[0]}")
        real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


def files(folder: Path, hosts: str) -> tuple[Path, Path, Path]:
    """A playbook, an inventory with these hosts, and an ssh_config whose ProxyCommand would
    leave a marker file if it ever ran."""
    marker, config = folder / "proxy-command-ran", folder / "ssh_config"
    config.write_text(f"Host *\n  ProxyCommand sh -c 'touch {marker}'\n")
    inventory = folder / "inventory.yml"
    inventory.write_text(
        "defaults: {username: netops, password: Lab-Pass-3141}\nhosts:\n"
        + hosts.format(config=config)
    )
    playbook = folder / "playbook.yml"
    playbook.write_text(PLAYBOOK)
    return playbook, inventory, marker


def test_lab_ignores_connection_overrides_and_still_reaches_the_lab_devices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    playbook, inventory, marker = files(
        tmp_path,
        "  R1: {{host: 192.168.100.1, options: {{host: 10.255.255.1, port: 9}}}}\n"
        "  R2: {{host: 192.168.100.2, options: {{use_keys: true, key_file: {config}}}}}\n"
        "  R3: {{host: 192.168.100.3, options: {{global_delay_factor: 1}}}}\n",
    )
    results = tmp_path / "results.json"
    argv = ["run", str(playbook), "-i", str(inventory), "--lab", "-q", "--results", str(results)]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 0, err
    data = json.loads(results.read_text())
    assert [r["status"] for r in data["steps"][0]["results"]] == ["ok", "ok", "ok"]
    assert not marker.exists()
    [warning] = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warning.endswith("host, port (R1); key_file, use_keys (R2)")


def test_an_inventory_that_would_run_a_proxy_command_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    playbook, inventory, marker = files(
        tmp_path, "  R2: {{host: 192.168.100.2, options: {{ssh_config_file: {config}}}}}\n"
    )
    for lab in ([], ["--lab"]):
        assert main(["run", str(playbook), "-i", str(inventory), *lab]) == 4
        assert "'ssh_config_file' cannot be set in an inventory" in capsys.readouterr().err
    assert not marker.exists()
