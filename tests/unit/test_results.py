"""Results: registered variables, recap and exit codes, masking, atomic JSON and the journal."""

from __future__ import annotations

import json
from pathlib import Path

from engine.results import (
    Journal,
    Mask,
    RunResult,
    Status,
    StepRecord,
    StepResult,
    write_json_atomic,
)


def run_of(*results: StepResult, interrupted: bool = False) -> RunResult:
    hosts = tuple(dict.fromkeys(r.host for r in results))
    record = StepRecord("play", "step", results)
    return RunResult("pb.yml", "inv.yml", hosts, (record,), 0.0, 1.0, interrupted=interrupted)


def test_the_registered_variable_is_a_plain_mapping() -> None:
    result = StepResult("R1", "s", Status.OK, commands=("a", "b"), outputs=("1", "2"))
    data = result.to_vars()
    assert data["output"] == "1\n2" and data["outputs"] == ["1", "2"]
    assert (data["status"], data["failed"], data["skipped"]) == ("ok", False, False)


def test_unreachable_beats_failed_in_the_exit_code() -> None:
    ok = StepResult("R1", "s", Status.OK)
    failed = StepResult("R2", "s", Status.FAILED)
    down = StepResult("R3", "s", Status.UNREACHABLE)
    assert run_of(ok).exit_code() == 0
    assert run_of(ok, failed).exit_code() == 2
    assert run_of(ok, failed, down).exit_code() == 3
    assert run_of(ok, interrupted=True).exit_code() == 99


def test_an_ignored_failure_is_counted_apart_and_keeps_the_run_green() -> None:
    ignored = StepResult("R1", "s", Status.FAILED, ignored=True)
    run = run_of(ignored)
    assert run.exit_code() == 0
    assert (run.recap()["R1"].ignored, run.recap()["R1"].failed) == (1, 0)


def test_mask_hides_every_secret_but_leaves_short_values_alone() -> None:
    mask = Mask({"s3cret-pw", "s3cret", "abc"})
    assert mask("pw s3cret-pw and s3cret, abc") == "pw ******** and ********, abc"


def test_results_json_is_masked_before_encoding(tmp_path: Path) -> None:
    target = tmp_path / "out" / "results.json"
    write_json_atomic(target, {"error": 'quote"secret'}, Mask({'quote"secret'}))
    assert json.loads(target.read_text()) == {"error": "********"}
    assert [p.name for p in target.parent.iterdir()] == ["results.json"]  # no temp file left


def test_the_journal_writes_one_masked_line_per_result(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    journal = Journal(path, Mask({"hunter22"}))
    journal.write("play", StepResult("R1", "s", Status.FAILED, error="bad password hunter22"))
    journal.write("play", StepResult("R2", "s", Status.OK))
    journal.close()
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(r["host"], r["status"]) for r in rows] == [("R1", "failed"), ("R2", "ok")]
    assert "hunter22" not in path.read_text()
