"""Rolling changes over real SSH: batches, a rollout that stops, `any_errors_fatal`, and
running the stopped hosts again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from engine.cli import main
from engine.schema import load_schema

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
ROLLING_NTP = ROOT / "playbooks" / "rolling-ntp.yml"
EDGE = ROOT / "playbooks" / "edge-routers.yaml"
ROUTERS = ROOT / "playbooks" / "inventory.yml"
REASON = "rollout stopped: 1 of 2 hosts in batch 2 failed (max_fail_percentage 0)"


def faulty(folder: Path, inventory: Path, host: str, **knobs: Any) -> Path:
    """A copy of `inventory` where `host` has these `lab:` knobs."""
    data = yaml.safe_load(inventory.read_text())
    data["hosts"][host] = {**(data["hosts"][host] or {}), "lab": knobs}
    changed = folder / inventory.name
    changed.write_text(yaml.safe_dump(data))
    return changed


def run(folder: Path, playbook: Path, inventory: Path, *options: str) -> tuple[int, dict[str, Any]]:
    results = folder / "results.json"
    code = main(
        ["run", str(playbook), "-i", str(inventory), "--lab", "--results", str(results), *options]
    )
    data = json.loads(results.read_text())
    jsonschema.validate(data, load_schema("results"))
    return code, data


def outcome(data: dict[str, Any], step: int = 0) -> dict[str, tuple[str, str | None]]:
    return {r["host"]: (r["status"], r["kind"]) for r in data["steps"][step]["results"]}


def test_a_six_host_rollout_two_at_a_time_stops_after_the_batch_with_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = faulty(tmp_path, EDGE, "E4", reject=["ntp server"])
    logs = tmp_path / "logs"
    code, data = run(tmp_path, ROLLING_NTP, inventory, "--session-logs", str(logs))
    printed = capsys.readouterr().out
    assert code == 2
    ok, skipped = ("ok", None), ("skipped", "stopped")
    assert outcome(data) == {
        "E1": ok, "E2": ok, "E3": ok, "E4": ("failed", "rejected"), "E5": skipped, "E6": skipped
    }  # fmt: skip
    assert outcome(data, 1) == {"E1": ok, "E2": ok, "E3": ok, "E5": skipped, "E6": skipped}
    assert {r["msg"] for r in data["steps"][1]["results"] if r["host"] in ("E5", "E6")} == {REASON}
    assert sorted(p.name for p in logs.iterdir()) == ["E1.log", "E2.log", "E3.log", "E4.log"]
    assert [(b["batch"], b["hosts"], b["failed"], b["ran"]) for b in data["batches"]] == [
        (1, ["E1", "E2"], [], True),
        (2, ["E3", "E4"], ["E4"], True),
        (3, ["E5", "E6"], [], False),
    ]
    assert data["stopped"] == {"play": "Rolling NTP change", "batch": 2, "reason": REASON}
    assert "BATCH 1/3: E1, E2" in printed and "BATCH 2/3: E3, E4" in printed
    assert "BATCH 3/3" not in printed
    assert f"{REASON}\n  skipped on 2 hosts: E5, E6\n" in printed
    assert "  3/3  E5, E6  not run\n" in printed


def test_rerun_failed_after_a_stopped_rollout_runs_the_failed_and_the_skipped_hosts(
    tmp_path: Path,
) -> None:
    inventory = faulty(tmp_path, EDGE, "E4", reject=["ntp server"])
    run(tmp_path, ROLLING_NTP, inventory)
    previous = tmp_path / "previous.json"
    (tmp_path / "results.json").rename(previous)
    code, data = run(tmp_path, ROLLING_NTP, EDGE, "--rerun-failed", str(previous))
    assert code == 0
    assert data["hosts"] == ["E4", "E5", "E6"]
    assert [b["hosts"] for b in data["batches"]] == [["E4", "E5"], ["E6"]]


@pytest.mark.parametrize("strategy", ["lockstep", "pipeline"])
def test_any_errors_fatal_stops_every_host_at_the_first_failure(
    tmp_path: Path, strategy: str
) -> None:
    book = tmp_path / "fatal.yml"
    book.write_text(
        f"name: Fatal\nhosts: routers\nstrategy: {strategy}\nany_errors_fatal: true\n"
        "steps:\n  - send: show clock\n  - send: show version\n"
    )
    inventory = faulty(tmp_path, ROUTERS, "R2", reject=["show clock"])
    code, data = run(tmp_path, book, inventory, "--forks", "1")
    assert code == 2
    assert data["stopped"]["reason"] == "rollout stopped: R2 failed 'show clock' (any_errors_fatal)"
    first, second = outcome(data), outcome(data, 1)
    assert first["R2"] == ("failed", "rejected")
    if strategy == "lockstep":  # the step under way finishes everywhere, no other starts
        assert first["R1"] == first["R3"] == ("ok", None)
        assert second == {"R1": ("skipped", "stopped"), "R3": ("skipped", "stopped")}
    else:  # one host at a time: R1 had finished its play, R3 never starts
        assert first["R1"] == second["R1"] == ("ok", None)
        assert first["R3"] == second["R3"] == ("skipped", "stopped")


def test_a_check_mode_rollout_runs_every_batch_and_changes_nothing(tmp_path: Path) -> None:
    code, data = run(tmp_path, ROLLING_NTP, EDGE, "--check")
    assert code == 0 and data["stopped"] is None
    assert [b["ran"] for b in data["batches"]] == [True, True, True]
    assert {r["changed"] for r in data["steps"][0]["results"]} == {True}  # would change
    assert {r["status"] for r in data["steps"][1]["results"]} == {"skipped"}  # `when`
