"""What the terminal shows while a run goes: host lines, step summaries, the status lines."""

from __future__ import annotations

import io

from engine.errors import Location
from engine.inventory import Host
from engine.live import LiveView
from engine.model import Play, Step
from engine.progress import StepProgress
from engine.report import make_console
from engine.results import Status, StepRecord, StepResult
from engine.secrets import Mask

HERE = Location("pb.yml")
CLOCK = Step("Clock", "send", ("show clock", "show version"), HERE)
PLAY = Play("Morning", ("all",), (CLOCK,), HERE)
OUTPUTS = ("*10:00:00 UTC", "Cisco IOS Software, pw-123456\nuptime is 1 day")
REJECTED = "show bogus\n    ^\n% Invalid input detected at '^' marker."


def view(*, hosts: int, quiet: bool = False, verbose: int = 0) -> tuple[LiveView, io.StringIO]:
    stream = io.StringIO()
    live = LiveView(
        make_console(stream, color=False), Mask.of(["pw-123456"]), quiet=quiet, verbose=verbose
    )
    live.play_started(PLAY, [Host(f"H{i:02d}", "a") for i in range(1, hosts + 1)], "pipeline")
    return live, stream


def entry(hosts: int) -> StepProgress:
    return StepProgress(PLAY, CLOCK, tuple(f"H{i:02d}" for i in range(1, hosts + 1)), 0.0, False)


def ok(host: str) -> StepResult:
    return StepResult(host, "Clock", Status.OK, CLOCK.commands, OUTPUTS, prompt=f"{host}#")


def failed(host: str) -> StepResult:
    error = "% Invalid input detected at '^' marker."
    return StepResult(host, "Clock", Status.FAILED, ("show bogus",), (REJECTED,), error=error)


def test_a_large_play_prints_failures_with_the_devices_last_lines_and_no_ok_host() -> None:
    live, stream = view(hosts=30)
    step = entry(30)
    live.host_finished(step, ok("H01"))
    live.host_finished(step, failed("H07"))
    lines = stream.getvalue().splitlines()[3:]
    assert lines == [
        "  failed      H07  Clock  0.00s  % Invalid input detected at '^' marker.",
        "    | show bogus",
        "    |     ^",
        "    | % Invalid input detected at '^' marker.",
    ]


def test_quiet_keeps_the_failure_line_without_device_text() -> None:
    live, stream = view(hosts=30, quiet=True)
    live.host_finished(entry(30), failed("H07"))
    assert stream.getvalue().splitlines()[3:] == [
        "  failed      H07  Clock  0.00s  % Invalid input detected at '^' marker."
    ]


def test_a_small_play_or_verbose_prints_each_hosts_output_as_it_finishes() -> None:
    for hosts, verbose in ((3, 0), (30, 1)):
        live, stream = view(hosts=hosts, verbose=verbose)
        live.host_finished(entry(hosts), ok("H02"))
        assert stream.getvalue().splitlines()[3:] == [
            "  ok          H02  Clock  0.00s",
            "    *10:00:00 UTC",
            "    Cisco IOS Software, ********",
            "    uptime is 1 day",
        ]


def test_very_verbose_prints_device_exchanges() -> None:
    live, stream = view(hosts=30, verbose=2)
    live.host_finished(entry(30), ok("H02"))
    assert stream.getvalue().splitlines()[4:] == [
        "    H02#show clock",
        "    *10:00:00 UTC",
        "    H02#show version",
        "    Cisco IOS Software, ********",
        "    uptime is 1 day",
    ]


def test_the_status_line_counts_and_names_the_few_hosts_left() -> None:
    live, _ = view(hosts=30)
    step = entry(30)
    for number in range(1, 29):
        step.results[f"H{number:02d}"] = failed("H07") if number == 7 else ok(f"H{number:02d}")
    line = live._status(step, "Clock", now=2.0).plain
    assert (
        line == "  Clock  28/30  ok 27  changed 0  failed 1  unreachable 0  2.0s  running: H29, H30"
    )
    for host in ("H01", "H02", "H03", "H04"):
        del step.results[host]
    assert "running" not in live._status(step, "Clock", now=2.0).plain


def test_the_status_line_shows_names_masked_and_inert() -> None:
    live, _ = view(hosts=2)
    step = StepProgress(PLAY, CLOCK, ("R\x1b[2J", "pw-123456"), 0.0, False)
    line = live._status(step, "Clock", now=1.0).plain
    assert "running: R^[[2J, ********" in line and "\x1b" not in line


def test_a_finished_step_says_how_it_went_and_reprints_a_result_changed_after_its_line() -> None:
    live, stream = view(hosts=3)
    step = entry(3)
    for host in ("H01", "H02"):
        step.results[host] = ok(host)
    save_failed = StepResult("H02", "Clock", Status.FAILED, kind="save_to", error="cannot write")
    step.final = StepRecord("Morning", "Clock", (ok("H01"), save_failed))
    live.step_done(step)
    lines = stream.getvalue().splitlines()[3:]
    assert lines[0] == "  failed      H02  Clock  0.00s  cannot write"
    assert lines[1] == ""  # apart from the outputs above it
    assert lines[2].startswith("STEP Clock done: 2 hosts  ok=1  changed=0  failed=1  unreachable=0")
