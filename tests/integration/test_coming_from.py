"""The netplay examples of docs/coming-from.md are real: each playbook validates with the
example inventory and runs against the lab, and each command runs as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from engine.cli import main

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "coming-from.md"
INVENTORY = ROOT / "playbooks" / "inventory.yml"


def examples(language: str) -> list[str]:
    """The blocks fenced as ```LANGUAGE netplay: the page's netplay examples."""
    text = PAGE.read_text(encoding="utf-8")
    return re.findall(rf"^```{language} netplay\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


PLAYBOOKS = examples("yaml")
COMMANDS = examples("sh")


def test_the_page_has_a_netplay_example_for_each_tool_it_compares() -> None:
    assert (len(PLAYBOOKS), len(COMMANDS)) == (3, 1)


@pytest.mark.parametrize("text", PLAYBOOKS, ids=lambda t: t.splitlines()[0])
def test_each_playbook_on_the_page_validates_and_runs_against_the_lab(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    playbook = tmp_path / "example.yml"
    playbook.write_text(text)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(playbook), "-i", str(INVENTORY)]) == 0
    assert main(["run", str(playbook), "-i", str(INVENTORY), "--lab", "-q"]) == 0


@pytest.mark.parametrize("line", [c.strip() for c in COMMANDS])
def test_each_command_on_the_page_runs_from_the_repository(
    line: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    program, *argv = shlex.split(line)
    monkeypatch.chdir(ROOT)
    assert program == "netplay"
    assert main(argv) == 0
    assert "192.168.100.1" in capsys.readouterr().out
