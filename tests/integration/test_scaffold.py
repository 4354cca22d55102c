"""A repository made by `netplay init` runs against the lab as it is, and keeps its runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main

pytestmark = pytest.mark.lab


def test_a_new_runbook_repository_runs_against_the_lab_and_keeps_its_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NETPLAY_NO_HISTORY")
    monkeypatch.setenv("NET_PASSWORD", "pw-Avocet-4410")
    monkeypatch.setenv("NET_SECRET", "en-Stint-9031")
    assert main(["init", str(tmp_path / "runbooks")]) == 0
    monkeypatch.chdir(tmp_path / "runbooks")
    assert main(["validate", "check.yml", "-i", "inventory.yml"]) == 0
    capsys.readouterr()
    for _ in range(2):
        assert main(["run", "check.yml", "-i", "inventory.yml", "--lab"]) == 0
    out = capsys.readouterr().out
    assert "R1 runs 15.2(7)E4" in out and "R2 runs 15.2(7)E4" in out
    assert main(["history"]) == 0
    assert [line.split()[3:5] for line in capsys.readouterr().out.splitlines()[1:]] == [
        ["check.yml", "2"],
        ["check.yml", "2"],
    ]
    assert main(["diff"]) == 0  # the same simulated routers, twice
    assert "no drift: 2 hosts, 3 steps" in capsys.readouterr().out
