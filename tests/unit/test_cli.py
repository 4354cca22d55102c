"""The command line: exit codes, usage errors, host listing, extra vars, vault, ask-pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import commands
from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEVICES = str(ROOT / "playbooks" / "devices.yaml")


def test_bad_options_exit_5_with_a_usage_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 5
    err = capsys.readouterr().err
    assert "usage: netplay run" in err and "Traceback" not in err


def test_an_unknown_limit_is_a_usage_error_with_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["cmd", "show clock", "-i", DEVICES, "--limit", "router"]) == 5
    assert "did you mean 'routers'?" in capsys.readouterr().err


def test_a_missing_inventory_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hosts", "-i", "no/such/inventory.yml"]) == 5
    assert "does not exist" in capsys.readouterr().err


def test_hosts_lists_the_selected_hosts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hosts", "-i", DEVICES, "--limit", "routers,!192.168.100.2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["192.168.100.1", "192.168.100.3"]


def test_extra_vars_take_key_value_pairs_and_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a vars file under the current directory is always readable
    extra = tmp_path / "vars.yml"
    extra.write_text("vlan: 10\nsite: file\n")
    assert commands.parse_extra_vars(["site=cli", f"@{extra}"]) == {"site": "file", "vlan": 10}
    assert commands.parse_extra_vars([f"@{extra}", "site=cli"])["site"] == "cli"


def test_an_extra_vars_file_outside_the_playbook_folder_and_the_current_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETPLAY_TEST_SECRET", "TOPSECRET-env")
    monkeypatch.chdir(tmp_path)
    playbook = str(ROOT / "playbooks" / "show-version.yml")
    assert main(["validate", playbook, "-e", "@/proc/self/environ"]) == 4
    err = capsys.readouterr().err
    assert "-e vars file '/proc/self/environ' leads outside" in err
    assert "TOPSECRET" not in err


def test_an_extra_vars_file_in_an_allowed_folder_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "site.yml").write_text("ntp_server: 192.0.2.1\n")
    playbook = str(ROOT / "playbooks" / "show-version.yml")
    argv = ["validate", playbook, "-e", f"@{tmp_path / 'site.yml'}"]
    assert main(argv) == 4
    assert main([*argv, "--allow-dir", str(tmp_path)]) == 0, capsys.readouterr().err


def test_a_malformed_extra_var_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    playbook = str(ROOT / "playbooks" / "show-version.yml")
    assert main(["validate", playbook, "-e", "no-equals-sign"]) == 5


def test_vault_keygen_encrypt_and_use_as_extra_vars(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["vault", "keygen"]) == 0
    monkeypatch.setenv("NETPLAY_VAULT_KEY", capsys.readouterr().out.strip())
    monkeypatch.chdir(tmp_path)
    secrets = tmp_path / "secrets.yml"
    secrets.write_text("api_token: very-secret-token\n")
    assert main(["vault", "encrypt", str(secrets)]) == 0
    assert "very-secret-token" not in secrets.read_text()
    assert commands.parse_extra_vars([f"@{secrets}"]) == {"api_token": "very-secret-token"}


def test_ask_pass_fills_in_hosts_without_a_password(tmp_path: Path) -> None:
    from engine.inventory import load_inventory

    path = tmp_path / "inv.yml"
    path.write_text("hosts:\n  R1: {password: own-password}\n  R2:\n")
    filled = commands.with_password(load_inventory(path), "typed-password")
    assert [h.password for h in filled.hosts] == ["own-password", "typed-password"]
