"""Platforms in an inventory: unknown ones refused where they are written, generic ones opt in."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from engine.errors import ExitCode, InputError
from engine.inventory import load_inventory


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inventory.yml"
    path.write_text(text)
    return path


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(InputError) as caught:
        load_inventory(write(tmp_path, text))
    assert caught.value.exit_code == ExitCode.INVALID_INPUT
    return caught.value.render()


def test_a_misspelt_platform_is_refused_at_its_line_with_a_suggestion(tmp_path: Path) -> None:
    text = "hosts:\n  R1:\n    host: 10.0.0.1\n    platform: cisco_iso\n"
    message = refused(tmp_path, text)
    assert "inventory.yml:4:15: hosts.R1.platform: unknown platform 'cisco_iso'" in message
    assert "did you mean 'cisco_ios'?" in message


def test_a_misspelt_device_type_in_a_devices_yaml_is_refused_too(tmp_path: Path) -> None:
    text = "core:\n- device_type: cisco_iso\n  ip: 10.0.0.1\n"
    message = refused(tmp_path, text)
    assert "inventory.yml:2:16: core[0].device_type: unknown platform 'cisco_iso'" in message
    assert "did you mean 'cisco_ios'?" in message


def test_a_wrong_platform_in_defaults_is_reported_once_at_the_defaults(tmp_path: Path) -> None:
    text = "defaults:\n  platform: juniper_jnos\nhosts:\n  R1:\n  R2:\n"
    with pytest.raises(InputError) as caught:
        load_inventory(write(tmp_path, text))
    assert len(caught.value.problems) == 1
    assert "defaults.platform" in caught.value.render()
    assert "did you mean 'juniper_junos'?" in caught.value.render()


def test_a_netmiko_device_type_outside_the_table_needs_platform_generic(tmp_path: Path) -> None:
    message = refused(tmp_path, "hosts:\n  sw1:\n    platform: hp_procurve\n")
    assert "platform 'hp_procurve' is a netmiko device type outside netplay's platforms" in message
    assert "set platform_generic: true" in message


def test_platform_generic_at_group_level_lets_its_members_use_any_netmiko_type(
    tmp_path: Path,
) -> None:
    text = (
        "groups:\n  legacy:\n    platform_generic: true\n    hosts: [sw1]\n"
        "hosts:\n  sw1:\n    platform: hp_procurve\n"
    )
    (host,) = load_inventory(write(tmp_path, text)).hosts
    assert host.platform == "hp_procurve" and host.platform_generic


def test_platform_generic_in_a_devices_yaml_entry_is_netplays_not_a_netmiko_option(
    tmp_path: Path,
) -> None:
    text = "- device_type: hp_procurve\n  ip: 10.0.0.1\n  platform_generic: true\n"
    (host,) = load_inventory(write(tmp_path, text)).hosts
    assert host.platform_generic and "platform_generic" not in host.options


def test_platform_generic_does_not_admit_a_name_netmiko_does_not_know(tmp_path: Path) -> None:
    text = "hosts:\n  R1:\n    platform: cisco_iso\n    platform_generic: true\n"
    assert "unknown platform 'cisco_iso'" in refused(tmp_path, text)


def test_a_config_session_is_refused_on_a_platform_without_sessions(tmp_path: Path) -> None:
    text = "hosts:\n  R1:\n    platform: cisco_ios\n    config_session: true\n"
    message = refused(tmp_path, text)
    assert "hosts.R1.config_session: platform 'cisco_ios' has no config sessions" in message


def test_a_config_session_on_eos_is_kept_on_the_host(tmp_path: Path) -> None:
    text = "defaults:\n  config_session: true\nhosts:\n  sw1:\n    platform: arista_eos\n"
    (host,) = load_inventory(write(tmp_path, text)).hosts
    assert host.config_session


def test_validate_exits_4_before_any_connection_for_an_unknown_platform(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = write(
        tmp_path, "hosts:\n  R1:\n    host: 127.0.0.1\n    port: 1\n    platform: cisco_iso\n"
    )
    playbook = tmp_path / "play.yml"
    playbook.write_text("name: p\nhosts: all\nsteps:\n  - name: s\n    send: show clock\n")
    assert main(["validate", str(playbook), "-i", str(inventory)]) == 4
    assert "did you mean 'cisco_ios'?" in capsys.readouterr().err
    assert main(["run", str(playbook), "-i", str(inventory)]) == 4
