"""Results: registered variables, recap and exit codes, no_log, atomic JSON and the journal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.files import FileBusyError, FileWriteError
from engine.results import (
    HIDDEN,
    Journal,
    RunResult,
    Status,
    StepRecord,
    StepResult,
    write_json_atomic,
)
from engine.secrets import Mask


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


def test_results_json_is_masked_before_encoding(tmp_path: Path) -> None:
    target = tmp_path / "out" / "results.json"
    target.parent.mkdir()
    write_json_atomic(target, {"error": 'quote"secret'}, Mask(frozenset({'quote"secret'})))
    assert json.loads(target.read_text()) == {"error": "********"}
    assert [p.name for p in target.parent.iterdir()] == ["results.json"]  # no temp file left
    assert target.stat().st_mode & 0o777 == 0o600


def test_results_json_keeps_device_text_with_control_characters_escaped(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    write_json_atomic(target, {"output": "\x1b]0;title\x07 \x9b2J"}, Mask())
    assert json.loads(target.read_text()) == {"output": "\x1b]0;title\x07 \x9b2J"}
    assert not any(0x80 <= ord(c) <= 0x9F or ord(c) == 0x1B for c in target.read_text())


def test_the_journal_writes_one_masked_line_per_result(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    journal = Journal(path, Mask(frozenset({"hunter22"})))
    journal.write("play", StepResult("R1", "s", Status.FAILED, error="bad password hunter22"))
    journal.write("play", StepResult("R2", "s", Status.OK))
    journal.close()
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(r["host"], r["status"]) for r in rows] == [("R1", "failed"), ("R2", "ok")]
    assert "hunter22" not in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_second_journal_on_the_same_file_is_refused_and_the_first_goes_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.jsonl"
    first = Journal(path, Mask())
    first.write("play", StepResult("R1", "s", Status.OK))
    with pytest.raises(FileBusyError, match=r"another netplay run is writing .*run\.jsonl") as err:
        Journal(path, Mask())
    assert err.value.exit_code == 5
    first.write("play", StepResult("R2", "s", Status.OK))
    first.close()
    assert [json.loads(line)["host"] for line in path.read_text().splitlines()] == ["R1", "R2"]


def test_the_journal_is_never_written_through_a_symlink(tmp_path: Path) -> None:
    victim, path = tmp_path / "victim", tmp_path / "run.jsonl"
    victim.write_text("untouched\n")
    path.symlink_to(victim)
    with pytest.raises(FileWriteError, match="symbolic link"):
        Journal(path, Mask())
    assert victim.read_text() == "untouched\n"


def test_a_redacted_result_keeps_its_status_and_hides_everything_it_carried() -> None:
    item = StepResult("R1", "s", Status.OK, commands=("username bob secret x",), item="bob")
    result = StepResult(
        "R1",
        "s",
        Status.FAILED,
        commands=("show users",),
        outputs=("bob  Hunter22",),
        error="% Invalid input near Hunter22",
        kind="rejected",
        parsed=({"user": "bob"},),
        diff="+username bob",
        facts={"pw": "Hunter22"},
        message="m",
        items=(item,),
        elapsed=1.5,
    )
    shown = result.redacted().to_json()
    assert (shown["status"], shown["kind"], shown["elapsed"]) == ("failed", "rejected", 1.5)
    assert shown["commands"] == shown["outputs"] == [HIDDEN]
    assert shown["error"] == shown["diff"] == shown["msg"] == HIDDEN
    assert shown["facts"] == {"pw": HIDDEN} and shown["parsed"] is None
    assert shown["results"][0]["item"] == HIDDEN
    assert "Hunter22" not in json.dumps(shown) and "bob" not in json.dumps(shown)
