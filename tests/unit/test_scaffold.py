"""`netplay init`: a runbook repository that validates, keeps secrets out of git, and is
written safely."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from engine.cli import main
from engine.keyref import schema_text
from engine.scaffold import IGNORED

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NET_PASSWORD", "pw-Plover-2231")
    monkeypatch.setenv("NET_SECRET", "en-Curlew-7784")


def made(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_init_makes_a_repository_whose_playbook_validates_with_its_inventory(
    tmp_path: Path, secrets: None, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "runbooks"
    assert main(["init", str(repo)]) == 0
    assert made(repo) == [
        ".gitignore",
        "README.md",
        "check.yml",
        "inventory.yml",
        "schemas/inventory.schema.json",
        "schemas/playbook.schema.json",
    ]
    assert "next: cd" in capsys.readouterr().out
    assert main(["validate", str(repo / "check.yml"), "-i", str(repo / "inventory.yml")]) == 0


def test_the_inventory_takes_its_secrets_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NET_PASSWORD", raising=False)
    assert main(["init", str(tmp_path / "repo")]) == 0
    inventory = tmp_path / "repo" / "inventory.yml"
    assert main(["validate", str(tmp_path / "repo" / "check.yml"), "-i", str(inventory)]) == 4
    assert "environment variable NET_PASSWORD is not set" in capsys.readouterr().err
    defaults = yaml.safe_load(inventory.read_text())["defaults"]
    assert (defaults["password"], defaults["secret"]) == (
        "{{ env.NET_PASSWORD }}",
        "{{ env.NET_SECRET }}",
    )


def test_files_and_folders_are_private(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    assert main(["init", str(repo)]) == 0
    assert {oct(p.stat().st_mode & 0o777) for p in repo.rglob("*") if p.is_file()} == {"0o600"}
    assert {oct(p.stat().st_mode & 0o777) for p in (repo, repo / "schemas")} == {"0o700"}


def test_the_yaml_files_name_the_schemas_beside_them_for_an_editor(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    for name, schema in (("check.yml", "playbook"), ("inventory.yml", "inventory")):
        first = (tmp_path / name).read_text().splitlines()[0]
        assert first == f"# yaml-language-server: $schema=schemas/{schema}.schema.json"
        assert (tmp_path / "schemas" / f"{schema}.schema.json").read_text() == schema_text(schema)


def test_init_refuses_a_folder_that_holds_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    assert main(["init", str(tmp_path)]) == 5
    assert "is not empty; --force adds the missing files" in capsys.readouterr().err
    assert made(tmp_path) == ["notes.txt"]


def test_a_folder_holding_only_git_is_empty_enough(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / "check.yml").is_file()


def test_force_keeps_every_file_there_and_adds_what_gitignore_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "check.yml").write_text("my own playbook\n")
    (tmp_path / ".gitignore").write_text("*.pyc\n.netplay/")
    assert main(["init", str(tmp_path), "--force"]) == 0
    out = capsys.readouterr().out
    assert f"kept     {tmp_path / 'check.yml'}" in out
    assert f"updated  {tmp_path / '.gitignore'}" in out
    assert (tmp_path / "check.yml").read_text() == "my own playbook\n"
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines[:2] == ["*.pyc", ".netplay/"] and lines.count(".netplay/") == 1
    assert {"results*.json", "results*.jsonl", "*.key"} <= set(lines)
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert f"kept     {tmp_path / '.gitignore'}" in capsys.readouterr().out


def test_init_never_writes_through_a_link_planted_in_the_folder(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    victim = tmp_path_factory.mktemp("victim") / "victim.txt"
    victim.write_text("untouched\n")
    (tmp_path / "README.md").symlink_to(victim)
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert victim.read_text() == "untouched\n"
    (tmp_path / ".gitignore").unlink()
    (tmp_path / ".gitignore").symlink_to(victim)
    assert main(["init", str(tmp_path), "--force"]) == 5
    assert victim.read_text() == "untouched\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_ignores_what_runs_leave_behind_in_a_new_repository(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, timeout=60)
    left = [".netplay/runs/20261201-101500/results.json", "results.json", "results.jsonl"]
    left += ["vault.key", "logs/R1.log", "out/R1.txt"]
    kept = ["check.yml", "inventory.yml", "README.md", "schemas/playbook.schema.json"]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *left, *kept],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.splitlines() == left


def test_the_gitignore_names_the_history_folder() -> None:
    assert ".netplay/" in IGNORED.splitlines()


def test_the_pre_commit_hook_validates_exactly_the_playbooks_of_a_new_repository(
    tmp_path: Path, secrets: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["language"]) == ("netplay-validate", "python")
    assert main(["init", str(tmp_path)]) == 0
    chosen = [
        name
        for name in made(tmp_path)
        if re.search(hook["files"], name) and not re.search(hook["exclude"], name)
    ]
    assert chosen == ["check.yml"]
    program, *argv = hook["entry"].split()
    assert program == "netplay"
    monkeypatch.chdir(tmp_path)
    assert main([*argv, *chosen, "-i", "inventory.yml"]) == 0


def test_validate_checks_every_playbook_it_is_given_and_exits_with_the_worst(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yml"
    good.write_text("name: g\nhosts: all\nsteps: [{send: show clock}]\n")
    bad = tmp_path / "bad.yml"
    bad.write_text("name: b\nhosts: all\nsteps: [{sendd: show clock}]\n")
    assert main(["validate", str(bad), str(good), str(bad)]) == 4
    captured = capsys.readouterr()
    assert captured.out.count("ok: ") == 1
    assert captured.err.count("unknown key 'sendd'") == 2
