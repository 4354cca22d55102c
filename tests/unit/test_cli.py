"""The command line: exit codes, usage errors, host listing, extra vars, vault, ask-pass."""

from __future__ import annotations

import io
import sys
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


def test_extra_vars_take_key_value_pairs_and_files(tmp_path: Path) -> None:
    extra = tmp_path / "vars.yml"
    extra.write_text("vlan: 10\nsite: file\n")
    assert commands.parse_extra_vars(["site=cli", f"@{extra}"]) == {"site": "file", "vlan": 10}
    assert commands.parse_extra_vars([f"@{extra}", "site=cli"])["site"] == "cli"


def test_a_malformed_extra_var_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    playbook = str(ROOT / "playbooks" / "show-version.yml")
    assert main(["validate", playbook, "-e", "no-equals-sign"]) == 5


def test_vault_keygen_encrypt_and_use_as_extra_vars(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["vault", "keygen"]) == 0
    monkeypatch.setenv("NETPLAY_VAULT_KEY", capsys.readouterr().out.strip())
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


def test_vault_keygen_out_writes_a_private_key_file_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "vault.key"
    assert main(["vault", "keygen", "--out", str(key_file)]) == 0
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert capsys.readouterr().out == ""  # the key is never printed
    before = key_file.read_bytes()
    assert main(["vault", "keygen", "--out", str(key_file)]) == 5
    assert "already exists; refusing to overwrite it" in capsys.readouterr().err
    assert key_file.read_bytes() == before


def test_vault_keygen_to_a_pipe_warns_that_the_file_may_be_readable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["vault", "keygen"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.strip()) == 44  # the key, for `> file` or `$(...)`
    assert "--out FILE" in captured.err and "readable by others" in captured.err


def test_a_world_readable_key_file_is_refused_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file, secrets = tmp_path / "vault.key", tmp_path / "secrets.yml"
    assert main(["vault", "keygen", "--out", str(key_file)]) == 0
    key_file.chmod(0o644)
    secrets.write_text("tacacs_psk: Tac-Gnu-7781\n")
    assert main(["vault", "encrypt", str(secrets), "--vault-key-file", str(key_file)]) == 5
    err = capsys.readouterr().err
    assert f"vault key file {key_file} can be read by other users (mode 0644)" in err
    assert f"chmod 600 {key_file}" in err
    assert secrets.read_text() == "tacacs_psk: Tac-Gnu-7781\n"


def test_every_value_of_a_vault_file_is_a_secret_whatever_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.vault import encrypt_text, generate_key

    key = generate_key()
    monkeypatch.setenv("NETPLAY_VAULT_KEY", key.decode())
    vault, plain = tmp_path / "vault.yml", tmp_path / "plain.yml"
    vault.write_text(encrypt_text("tacacs_psk: Tac-Gnu-7781\nservers: [10.1.1.1]\n", key))
    plain.write_text("site: Plain-Site-1\n")
    extra, vaulted = commands.read_extra_vars([f"@{vault}", f"@{plain}", "x=Cli-Value"])
    assert extra["tacacs_psk"] == "Tac-Gnu-7781"
    assert vaulted == {"Tac-Gnu-7781", "10.1.1.1"}


class _Stdout(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.mark.parametrize("terminal, shown", [(True, "x^[]0;t^Gy\n"), (False, "x\x1b]0;t\x07y\n")])
def test_cmd_output_is_made_printable_on_a_terminal_and_kept_raw_in_a_pipe(
    monkeypatch: pytest.MonkeyPatch, terminal: bool, shown: str
) -> None:
    monkeypatch.setattr(sys, "stdout", _Stdout(terminal))
    assert commands.for_stdout("x\x1b]0;t\x07y\n") == shown
