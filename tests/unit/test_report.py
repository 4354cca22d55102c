"""What the user sees: step lines, recap, and the `cmd` output formats."""

from __future__ import annotations

import io
import json

from engine.errors import Location
from engine.model import Play, Step
from engine.report import ConsoleReport, command_blocks, command_json, make_console
from engine.results import RunResult, Status, StepRecord, StepResult
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
