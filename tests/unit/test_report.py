"""What the user sees: step lines, recap, and the `cmd` output formats."""

from __future__ import annotations

import io
import json

from engine.errors import Location
from engine.inventory import Host
from engine.model import Play, Step
from engine.report import ConsoleReport, command_blocks, command_json, make_console
from engine.results import (
    BatchRecord,
    Rollback,
    RolloutStop,
    RunResult,
    Status,
    StepRecord,
    StepResult,
)
from engine.rollout import Batch
from engine.secrets import Mask

HERE = Location("pb.yml")
STEP = Step("Read", "send", ("sh clock",), HERE)
PLAY = Play("Clocks", ("all",), (STEP,), HERE)
RESULTS = (
    StepResult("R1", "Read", Status.OK, ("sh clock",), ("*10:00 [UTC]",), prompt="R1#"),
    StepResult("R2", "Read", Status.UNREACHABLE, error="connection refused by pw-123456"),
)
RUN = RunResult("pb.yml", "inv.yml", ("R1", "R2"), (StepRecord("Clocks", "Read", RESULTS),), 0, 1)


def test_console_shows_each_host_with_its_output_masked_and_unstyled() -> None:
    stream = io.StringIO()
    report = ConsoleReport(make_console(stream, color=False), Mask.of(["pw-123456"]))
    report.step_finished(PLAY, STEP, RUN.steps[0])
    report.recap(RUN)
    text = stream.getvalue()
    assert "*10:00 [UTC]" in text  # device text is never read as markup
    assert "unreachable R2" in " ".join(text.split())
    assert "pw-123456" not in text and "********" in text
    assert "R2  ok=0  changed=0  failed=0  unreachable=1" in text


def test_cmd_blocks_start_with_the_prompt_and_the_command() -> None:
    assert command_blocks(RUN, Mask()) == "R1#sh clock\n*10:00 [UTC]\n"


def test_cmd_json_maps_each_host_to_its_output_or_null() -> None:
    assert json.loads(command_json(RUN, Mask())) == [{"R1": "*10:00 [UTC]"}, {"R2": None}]


def test_console_shows_escape_sequences_from_devices_instead_of_obeying_them() -> None:
    hostile = StepResult(
        "R1",
        "Read",
        Status.FAILED,
        ("sh clock",),
        ("\x1b]0;owned\x07\x1b[2J",),
        error="% bad \x1b[31mred",
        facts={"x": "\x9b"},
    )
    stream = io.StringIO()
    report = ConsoleReport(make_console(stream, color=False), Mask())
    report.step_finished(PLAY, STEP, StepRecord("Clocks", "Read", (hostile,)))
    text = stream.getvalue()
    assert "\x1b" not in text and "\x9b" not in text
    assert "^[]0;owned^G^[[2J" in text and "% bad ^[[31mred" in text


def test_cmd_json_escapes_control_characters_and_masks() -> None:
    result = StepResult("R1", "c", Status.OK, ("c",), ("\x1b[2J \x9b pw-123456",))
    run = RunResult("pb", "inv", ("R1",), (StepRecord("p", "c", (result,)),), 0, 1)
    text = command_json(run, Mask.of(["pw-123456"]))
    assert json.loads(text) == [{"R1": "\x1b[2J \x9b ********"}]
    assert "\x1b" not in text and "\x9b" not in text


def test_a_rolling_run_shows_its_batches_how_each_ended_and_why_it_stopped() -> None:
    reason = "rollout stopped: 1 of 2 hosts in batch 2 failed (max_fail_percentage 0)"
    stop = RolloutStop("Clocks", 2, reason)
    batches = (
        BatchRecord("Clocks", 1, 3, ("R1", "R2")),
        BatchRecord("Clocks", 2, 3, ("R3", "R4"), ("R4",)),
        BatchRecord("Clocks", 3, 3, ("R5", "R6"), ran=False),
    )
    run = RunResult("pb.yml", "inv.yml", (), (), 0, 1, batches=batches, stopped=stop)
    stream = io.StringIO()
    report = ConsoleReport(make_console(stream, color=False), Mask())
    report.batch_started(PLAY, Batch(2, 3, (Host("R3", "a"), Host("R4", "b"))))
    report.rollout_stopped(stop, ["R5", "R6"])
    report.recap(run)
    lines = stream.getvalue().splitlines()
    assert "BATCH 2/3: R3, R4" in lines
    assert [reason, "  skipped on 2 hosts: R5, R6"] == lines[lines.index(reason) :][:2]
    start = lines.index("BATCHES Clocks")
    assert lines[start + 1 : start + 4] == [
        "  1/3  R1, R2  ok",
        "  2/3  R3, R4  1 failed: R4",
        "  3/3  R5, R6  not run",
    ]
    assert lines[start + 5] == reason


def test_a_rolled_back_host_says_what_was_restored_and_a_failed_rollback_says_why() -> None:
    file = "flash:netplay-rollback-20261201-101500.cfg"
    done = Rollback(file, "Change", ok=True, output="Total number of passes: 1\nRollback Done")
    failed = Rollback(file, "Change", ok=False, error=f"connection refused; the archive is {file}")
    results = tuple(
        StepResult(host, "Read", Status.FAILED, error="% Invalid input", rollback=rollback)
        for host, rollback in (("R1", done), ("R2", failed))
    )
    stream = io.StringIO()
    report = ConsoleReport(make_console(stream, color=False), Mask())
    report.step_finished(PLAY, STEP, StepRecord("Clocks", "Read", results))
    lines = stream.getvalue().splitlines()
    assert lines[3] == (
        f"    rolled back: {file} restored, undoing 'Change' "
        "(Total number of passes: 1 / Rollback Done)"
    )
    assert lines[5] == f"    rollback failed: connection refused; the archive is {file}"


def test_the_end_of_a_run_names_the_failed_hosts_and_the_slowest_by_their_own_time() -> None:
    results = (
        StepResult("R1", "Read", Status.OK),
        StepResult("R2", "Read", Status.FAILED, error="% Invalid input"),
        StepResult("R3", "Read", Status.UNREACHABLE, error="connection refused"),
        StepResult("R5", "Read", Status.SKIPPED, kind="stopped"),
    )
    timings = {
        "R1": {"connect": 0.1, "enable": 0.0, "commands": 0.2, "waiting": 5.0},
        "R2": {"connect": 1.0, "enable": 0.5, "commands": 3.0, "waiting": 0.0},
        "R3": {"connect": 0.4, "enable": 0.0, "commands": 0.0, "waiting": 0.0},
    }
    hosts = ("R1", "R2", "R3", "R4", "R5")
    run = RunResult(
        "pb", "inv", hosts, (StepRecord("Clocks", "Read", results),), 0, 6.0, timings=timings
    )
    stream = io.StringIO()
    ConsoleReport(make_console(stream, color=False), Mask()).recap(run)
    lines = stream.getvalue().splitlines()
    end = lines.index("finished in 6.00s")
    assert lines[end - 1] == (
        "hosts: 1 ok · 1 failed: R2 · 1 unreachable: R3 · 1 skipped: R5 · 1 not run: R4"
    )
    assert lines[end + 2 :] == [
        "slowest hosts:",
        "  R2  4.50s  (connect 1.00s · enable 0.50s · commands 3.00s · waiting 0.00s)",
        "  R3  0.40s  (connect 0.40s · enable 0.00s · commands 0.00s · waiting 0.00s)",
        "  R1  0.30s  (connect 0.10s · enable 0.00s · commands 0.20s · waiting 5.00s)",
    ]


def test_very_verbose_shows_each_command_after_the_prompt_then_its_answer() -> None:
    result = StepResult(
        "R1", "Read", Status.OK, ("sh clock", "sh ver"), ("*10:00", "15.2"), prompt="R1#"
    )
    stream = io.StringIO()
    report = ConsoleReport(make_console(stream, color=False), Mask(), exchanges=True)
    report.step_finished(PLAY, STEP, StepRecord("Clocks", "Read", (result,)))
    assert stream.getvalue().splitlines()[3:] == [
        "    R1#sh clock",
        "    *10:00",
        "    R1#sh ver",
        "    15.2",
    ]
