"""The command line: exit codes, usage errors, host listing, extra vars, vault, ask-pass."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from engine import commands, runs
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


def test_hosts_names_the_jump_host_of_each_host_behind_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["hosts", "-i", str(ROOT / "playbooks" / "bastion-inventory.yaml")]) == 0
    ends = [line.split("  ")[-1] for line in capsys.readouterr().out.splitlines()]
    assert ends == ["-", "via B1", "via B1", "via B1", "-"]


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
    filled = runs.with_password(load_inventory(path), "typed-password")
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
    monkeypatch.chdir(tmp_path)  # a vars file may come from the current folder
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


# --- options are checked by their argparse types, before anything is read or contacted ------

PLAYBOOK = str(ROOT / "playbooks" / "show-version.yml")


def run_argv(*options: str) -> list[str]:
    return ["run", PLAYBOOK, "-i", DEVICES, "--list-steps", *options]


@pytest.mark.parametrize("option", ["--connect-timeout", "--command-timeout", "--host-timeout"])
@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "-inf", "1e9", "soon"])
def test_a_timeout_must_be_a_positive_finite_number_of_seconds(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(run_argv(option, value)) == 5
    err = capsys.readouterr().err
    assert err.startswith(f"error: argument {option}: ") and "Traceback" not in err


@pytest.mark.parametrize("value", ["0", "1e-9", "-5", "nan", "inf"])
def test_a_connect_rate_below_one_every_ten_seconds_is_refused(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(run_argv("--connect-rate", value)) == 5
    assert "--connect-rate" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "1001", "2.5", "many"])
def test_forks_must_be_a_whole_number_from_1_to_1000(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(run_argv("--forks", value)) == 5
    assert "--forks" in capsys.readouterr().err


@pytest.mark.parametrize(
    "value",
    [
        "dask-local:0",
        "dask-local:x",
        "dask-local:65",
        "dask://",
        "dask://host",
        "dask://:1",
        "dask://h:0",
        "dask://h:99999",
        "dask://u@h:1",
        "processes",
        "dask-local",
    ],
)
def test_a_bad_executor_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(run_argv("--executor", value)) == 5
    assert "--executor" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("threads", "threads"),
        ("auto", "auto"),
        ("dask-local:2", "dask-local:2"),
        ("dask://127.0.0.1:8786", "dask://127.0.0.1:8786"),
        ("dask://[::1]:8786", "dask://[::1]:8786"),
    ],
)
def test_an_executor_reaches_the_run_options_as_given(value: str, shown: str) -> None:
    from engine.cli import _parser, _run_options

    options = _run_options(_parser().parse_args(["run", PLAYBOOK, "--executor", value]))
    assert str(options.executor) == shown


@pytest.mark.parametrize("value", ["0", "70000", "-22", "ssh"])
def test_lab_serve_takes_a_port_from_1_to_65535(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lab", "serve", "-i", DEVICES, "--port", value]) == 5
    err = capsys.readouterr().err
    assert "argument --port" in err and "Traceback" not in err


def test_results_in_a_missing_folder_is_refused_and_no_folder_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "dir" / "x.json"
    assert main(run_argv("--results", str(target))) == 5
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()


def test_results_naming_a_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(run_argv("--results", str(tmp_path))) == 5
    assert "is a folder, not a file" in capsys.readouterr().err


def test_session_logs_naming_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("")
    assert main(run_argv("--session-logs", str(afile))) == 5
    assert "is a file, not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--session-logs", "--output-dir"])
def test_a_folder_option_needs_an_existing_parent(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(run_argv(option, str(tmp_path / "no" / "logs"))) == 5
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--rerun-failed", "--vault-key-file"])
def test_a_file_to_read_must_exist(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(run_argv(option, str(tmp_path / "nothing.json"))) == 5
    assert "does not exist" in capsys.readouterr().err


def test_known_hosts_in_a_missing_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(run_argv("--known-hosts", str(tmp_path / "no" / "known_hosts"))) == 5
    assert "--known-hosts" in capsys.readouterr().err


def test_cmd_output_in_a_missing_folder_is_refused_before_any_device_is_contacted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def contact(*args: object, **kwargs: object) -> int:
        raise AssertionError("a device would have been contacted")

    monkeypatch.setattr(runs.Run, "execute", contact)
    target = tmp_path / "missing" / "x.txt"
    assert main(["cmd", "show clock", "-i", DEVICES, "--lab", "--output", str(target)]) == 5
    assert "missing of" in capsys.readouterr().err


def test_an_unknown_limit_on_run_is_a_usage_error_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", PLAYBOOK, "-i", DEVICES, "--limit", "NOPE"]) == 5
    err = capsys.readouterr().err
    assert (
        err.startswith("error: --limit: 'NOPE' is not a host or group") and "Traceback" not in err
    )


def test_a_misspelt_tag_is_a_usage_error_with_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    playbook = str(ROOT / "playbooks" / "interface-audit.yml")
    assert main(["run", playbook, "-i", DEVICES, "--list-steps", "--skip-tags", "sav"]) == 5
    assert "no step is tagged 'sav' (did you mean 'save'?)" in capsys.readouterr().err


def test_every_option_says_what_it_is_for() -> None:
    import argparse

    from engine.cli import _parser

    def parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
        found = [parser]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    found += parsers(child)
        return found

    silent = [
        f"{p.prog}: {a.option_strings or a.dest}"
        for p in parsers(_parser())
        for a in p._actions
        if not isinstance(a, argparse._SubParsersAction) and not a.help
    ]
    assert silent == []


def test_the_library_gets_a_frozen_run_options_with_typed_values() -> None:
    from engine.cli import _parser, _run_options
    from engine.options import RunOptions

    args = _parser().parse_args(
        ["run", PLAYBOOK, "-t", "a, b", "-e", "x=1", "--connect-timeout", "2.5", "-f", "3"]
    )
    options = _run_options(args)
    assert isinstance(options, RunOptions)
    assert (options.tags, options.extra_vars, options.connect_timeout, options.forks) == (
        frozenset({"a", "b"}),
        ("x=1",),
        2.5,
        3,
    )


def test_an_unexpected_error_is_one_line_with_exit_1_and_no_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> int:
        raise RuntimeError("something nobody expected\nsecond line")

    monkeypatch.setattr(commands, "hosts", broken)
    monkeypatch.delenv("NETPLAY_DEBUG", raising=False)
    assert main(["hosts", "-i", DEVICES]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "error: internal error: RuntimeError: something nobody expected",
        "  hint: NETPLAY_DEBUG=1 shows the traceback",
    ]


def test_ask_pass_with_the_input_closed_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def closed(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr(runs.getpass, "getpass", closed)
    assert main(["cmd", "show clock", "-i", DEVICES, "-k"]) == 5
    assert "--ask-pass: no password was typed" in capsys.readouterr().err


def test_a_refusal_from_the_machine_is_one_line_naming_the_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> int:
        raise OSError(28, "No space left on device", "results.json")

    monkeypatch.setattr(commands, "hosts", full)
    assert main(["hosts", "-i", DEVICES]) == 1
    assert capsys.readouterr().err == "error: No space left on device: results.json\n"


def test_reports_verbosity_and_progress_reach_the_run_options(tmp_path: Path) -> None:
    from engine.cli import _parser, _run_options

    junit, html = tmp_path / "r.xml", tmp_path / "r.html"
    argv = ["run", PLAYBOOK, "--report", "junit", str(junit), "--report", "html", str(html)]
    options = _run_options(_parser().parse_args([*argv, "-vv", "--no-progress"]))
    assert options.reports == (("junit", junit), ("html", html))
    assert (options.verbose, options.no_progress) == (2, True)


@pytest.mark.parametrize(
    ("report", "message"),
    [
        (["pdf", "r.pdf"], "argument --report: 'pdf' is not a report format (junit, html)"),
        (["junit", "missing/r.xml"], "argument --report: folder missing of missing/r.xml"),
    ],
)
def test_a_report_of_an_unknown_format_or_in_a_missing_folder_is_refused(
    report: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(run_argv("--report", *report)) == 5
    assert message in capsys.readouterr().err


def test_a_report_from_a_file_that_is_not_results_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "results.json"
    source.write_text("[]")
    out = tmp_path / "r.html"
    assert main(["report", "html", "--from", str(source), "--out", str(out)]) == 5
    assert "is not a netplay results file" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    "inventory, playbook, extra",
    [
        ("hosts:\n  R1: {host: 10.0.0.1, password: Pw-Otter-5150, prot: 22}\n", "", ""),
        ("", "  - {send: show clock, tiemout: 3, vars: {ospf_key: Pw-Otter-5150}}\n", ""),
        ("", "", "{api_token: Pw-Otter-5150, vlan: [10}\n"),
    ],
    ids=["inventory", "playbook", "vars file"],
)
def test_a_load_error_never_shows_a_secret_written_on_the_line_it_quotes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    inventory: str,
    playbook: str,
    extra: str,
) -> None:
    (tmp_path / "inv.yml").write_text(inventory or "hosts:\n  R1: {host: 10.0.0.1}\n")
    steps = playbook or "  - {send: show clock}\n"
    (tmp_path / "pb.yml").write_text("name: p\nhosts: all\nsteps:\n" + steps)
    (tmp_path / "vars.yml").write_text(extra or "site: lab\n")
    argv = ["validate", str(tmp_path / "pb.yml"), "-i", str(tmp_path / "inv.yml")]
    assert main([*argv, "-e", f"@{tmp_path / 'vars.yml'}", "--allow-dir", str(tmp_path)]) == 4
    err = capsys.readouterr().err
    assert "********" in err
    assert "Pw-Otter-5150" not in err
