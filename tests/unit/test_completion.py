"""Shell completion made from the parser, run in real shells; help text on every option."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.cli import _parser, main

BIN = Path(sys.executable).parent  # where `netplay` is installed, beside this Python
INVENTORY = """\
defaults:
  password: "{{ env.NETPLAY_TEST_UNSET_PASSWORD }}"
groups:
  routers: {hosts: [R1, R2]}
  core: {hosts: [R1]}
hosts:
  R1: {host: 192.0.2.1}
  R2: {host: 192.0.2.2}
  edge-1: {host: 192.0.2.3}
"""


def parsers(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every command of the command line (`""`, `"run"`, `"vault encrypt"`, ...)."""
    yield " ".join(words), parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from parsers(child, (*words, name))


def shown_options(parser: argparse.ArgumentParser) -> set[str]:
    return {
        flag
        for action in parser._actions
        if action.option_strings and action.help != argparse.SUPPRESS
        for flag in action.option_strings
    }


def shell_env() -> dict[str, str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("NETPLAY_TEST_UNSET_PASSWORD", None)
    return env


def bash(cases: list[list[str]], cwd: Path) -> list[list[str]]:
    """What bash's completion offers for each command line (its last word being typed)."""
    lines = ["source <(netplay completion bash)"]
    for words in cases:
        quoted = " ".join(shlex.quote(word) for word in words)
        lines.append(
            f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMPREPLY=(); _netplay;"
            " printf '%s\\n' \"${COMPREPLY[@]}\"; echo '<end>'"
        )
    done = subprocess.run(
        ["bash", "-c", "\n".join(lines)],
        cwd=cwd,
        env=shell_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    replies = done.stdout.split("<end>\n")[:-1]
    return [sorted(line for line in reply.splitlines() if line) for reply in replies]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A runbook folder: playbooks, an inventory, a text file and a sub-folder."""
    (tmp_path / "site.yml").write_text("name: x\n")
    (tmp_path / "backup.yaml").write_text("name: x\n")
    (tmp_path / "notes.txt").write_text("notes\n")
    (tmp_path / "inventory.yml").write_text(INVENTORY)
    (tmp_path / "templates").mkdir()
    return tmp_path


# -- help -------------------------------------------------------------------------------------


def test_every_option_and_argument_of_every_command_has_help() -> None:
    missing = [
        f"{path or 'netplay'}: {action.option_strings or action.dest}"
        for path, parser in parsers(_parser())
        for action in parser._actions
        if not action.help and not isinstance(action, argparse._SubParsersAction)
    ]
    assert missing == []


def test_the_inventory_limit_and_forks_options_say_what_they_take(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "-i INVENTORY, --inventory INVENTORY inventory file" in text
    assert "-l PATTERN, --limit PATTERN only these hosts" in text
    assert "-f FORKS, --forks FORKS hosts at once" in text


# -- bash -------------------------------------------------------------------------------------


def test_bash_offers_exactly_the_options_the_parser_has_for_every_command(folder: Path) -> None:
    commands = dict(parsers(_parser()))
    cases = [["netplay", *path.split(), "-"] for path in commands]
    offered = bash(cases, folder)
    assert {path: set(found) for path, found in zip(commands, offered, strict=True)} == {
        path: shown_options(parser) for path, parser in commands.items()
    }


def test_bash_offers_commands_then_their_sub_commands(folder: Path) -> None:
    top, vault, started = bash(
        [["netplay", ""], ["netplay", "vault", ""], ["netplay", "hi"]], folder
    )
    commands = "run validate cmd hosts vault lab history diff schema init completion report"
    assert top == sorted(commands.split())
    assert (vault, started) == (["decrypt", "encrypt", "keygen"], ["history"])


def test_bash_offers_playbooks_files_folders_and_choices_where_each_is_wanted(
    folder: Path,
) -> None:
    playbook, results, init, schema, policy, free = bash(
        [
            ["netplay", "run", ""],
            ["netplay", "run", "--results", ""],
            ["netplay", "init", ""],
            ["netplay", "schema", ""],
            ["netplay", "cmd", "--host-key-policy", "s"],
            ["netplay", "run", "x.yml", "--start-at-step", ""],
        ],
        folder,
    )
    assert playbook == ["backup.yaml", "inventory.yml", "site.yml", "templates"]
    assert results == ["backup.yaml", "inventory.yml", "notes.txt", "site.yml", "templates"]
    assert init == ["templates"]
    assert (schema, policy, free) == (["inventory", "playbook", "results"], ["strict"], [])


def test_bash_offers_host_and_group_names_of_the_inventory_given_with_i(folder: Path) -> None:
    inventory = folder / "elsewhere.yml"
    (folder / "inventory.yml").rename(inventory)
    every, after_comma, negated, joined = bash(
        [
            ["netplay", "run", "site.yml", "-i", inventory.name, "-l", ""],
            ["netplay", "cmd", "-i", inventory.name, "--limit", "R2,co"],
            ["netplay", "hosts", "--inventory", inventory.name, "-l", "!R"],
            ["netplay", "cmd", "--inventory", "=", inventory.name, "--limit", "=", "ed"],
        ],
        folder,
    )
    assert every == ["R1", "R2", "all", "core", "edge-1", "routers"]
    assert (after_comma, negated, joined) == (["R2,core"], ["!R1", "!R2"], ["edge-1"])


def test_bash_offers_the_runs_kept_here_to_diff(folder: Path) -> None:
    for run_id in ("20261201-101500", "20261202-101500"):
        (folder / ".netplay" / "runs" / run_id).mkdir(parents=True)
    (offered,) = bash([["netplay", "diff", "2026"]], folder)
    assert offered == ["20261201-101500", "20261202-101500"]


def test_hosts_names_reads_no_secret_an_inventory_takes_from_the_environment(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NETPLAY_TEST_UNSET_PASSWORD", raising=False)
    assert main(["hosts", "-i", str(folder / "inventory.yml")]) == 4  # needs the secret
    capsys.readouterr()
    assert main(["hosts", "--names", "-i", str(folder / "inventory.yml")]) == 0
    assert capsys.readouterr().out.split() == ["all", "routers", "core", "R1", "R2", "edge-1"]


def test_hosts_names_reads_a_netmiko_devices_file_and_the_default_inventory(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    devices = folder / "devices.yaml"
    devices.write_text("routers:\n- {device_type: cisco_ios, ip: 192.0.2.1}\n- {name: R9}\n")
    assert main(["hosts", "--names", "-i", str(devices)]) == 0
    assert capsys.readouterr().out.split() == ["all", "routers", "192.0.2.1", "R9"]
    monkeypatch.chdir(folder)
    assert main(["hosts", "--names"]) == 0
    assert "edge-1" in capsys.readouterr().out.split()


# -- zsh and fish: run where installed --------------------------------------------------------


def script(shell: str, folder: Path) -> Path:
    path = folder / f"netplay.{shell}"
    path.write_text(
        subprocess.run(
            [BIN / "netplay", "completion", shell], capture_output=True, text=True, check=True
        ).stdout
    )
    return path


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_script_is_valid_in_its_shell(shell: str, folder: Path) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    done = subprocess.run(
        [shell, "-n", str(script(shell, folder))], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def fish(lines: list[str], cwd: Path) -> list[list[str]]:
    """What fish offers for each command line (`complete -C`)."""
    body = [f"source {shlex.quote(str(script('fish', cwd)))}"]
    body += [f"complete -C {shlex.quote(line)}; echo '<end>'" for line in lines]
    done = subprocess.run(
        ["fish", "--no-config", "-c", "\n".join(body)],
        cwd=cwd,
        env=shell_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    replies = done.stdout.split("<end>\n")[:-1]
    return [sorted(line.split("\t")[0] for line in reply.splitlines()) for reply in replies]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_offers_the_parsers_options_commands_hosts_and_playbooks(folder: Path) -> None:
    commands = dict(parsers(_parser()))
    cases = [f"netplay {path} -".replace("  ", " ") for path in commands]
    (folder / "inventory.yml").rename(folder / "hosts.yml")
    cases += ["netplay vault ", "netplay run -i hosts.yml -l R2,co", "netplay run s"]
    cases += ["netplay cmd --inventory=hosts.yml -l !ed"]
    *options, vault, hosts, playbooks, joined = fish(cases, folder)
    assert {
        p: {o for o in found if o.startswith("-")}
        for p, found in zip(commands, options, strict=True)
    } == {path: shown_options(parser) for path, parser in commands.items()}
    assert (vault, hosts, playbooks) == (
        ["decrypt", "encrypt", "keygen"],
        ["R2,core"],
        ["site.yml"],
    )
    assert joined == ["!edge-1"]


ZSH_TYPE = r"""
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT='<p>'; autoload -U compinit; compinit -u -D; source $1; print READY-\$((6*7))"
zpty -r z out '*READY-42*<p>*'
zpty -w -n z "$2"$'\t'
zpty -w -n z $'\x15'
zpty -w z 'print DONE-$((6*7))'
zpty -r z out '*DONE-42*'
print -r -- "$out"
"""


def zsh_tab(line: str, cwd: Path) -> str:
    """The command line as zsh shows it after one Tab (a unique completion is inserted)."""
    harness = cwd / "type.zsh"
    harness.write_text(ZSH_TYPE)
    done = subprocess.run(
        ["zsh", "-f", str(harness), str(script("zsh", cwd)), line],
        cwd=cwd,
        env=shell_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|.\x08|\r", "", done.stdout)
    typed = re.search(r"(netplay .*?)\s*(?:\x07|\s{2}|$)", plain)
    assert typed is not None, plain
    return typed.group(1)


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
@pytest.mark.parametrize(
    ("typed", "completed"),
    [
        ("netplay run --inv", "netplay run --inventory"),
        ("netplay vault enc", "netplay vault encrypt"),
        ("netplay run -i inventory.yml -l R2,co", "netplay run -i inventory.yml -l R2,core"),
        (
            "netplay run --inventory=hosts.yml -l !ed",
            "netplay run --inventory=hosts.yml -l !edge-1",
        ),
        ("netplay cmd --host-key-policy str", "netplay cmd --host-key-policy strict"),
        ("netplay run si", "netplay run site.yml"),
    ],
)
def test_zsh_completes_options_commands_hosts_and_playbooks(
    typed: str, completed: str, folder: Path
) -> None:
    (folder / "hosts.yml").write_text(INVENTORY)
    assert zsh_tab(typed, folder) == completed
