"""The run as it happens: which steps are complete, and one writer thread for the console."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from engine.errors import Location
from engine.inventory import Host
from engine.model import Play, Step
from engine.progress import (
    PlainView,
    Reporter,
    StepProgress,
    Tracker,
    console_reporter,
    is_live_terminal,
)
from engine.report import ConsoleReport, make_console
from engine.results import RolloutStop, RunResult, Status, StepRecord, StepResult
from engine.rollout import Batch
from engine.secrets import Mask

HERE = Location("pb.yml")
CLOCK = Step("Clock", "send", ("show clock",), HERE)
VERSION = Step("Version", "send", ("show version",), HERE)
PLAY = Play("Morning", ("all",), (CLOCK, VERSION), HERE)
HOSTS = ("R1", "R2", "R3")


def ok(host: str, step: Step = CLOCK) -> StepResult:
    return StepResult(host, step.name, Status.OK, step.commands, (f"{host} says hi",))


def failed(host: str, step: Step = CLOCK) -> StepResult:
    return StepResult(host, step.name, Status.FAILED, error="% Invalid input")


def pipeline(*steps: Step) -> Tracker:
    tracker = Tracker()
    tracker.play_started("pipeline", 0.0)
    for step in steps:
        tracker.step_started(PLAY, step, HOSTS, 0.0)
    return tracker


def test_a_pipeline_step_is_complete_once_every_host_has_finished_it() -> None:
    tracker = pipeline(CLOCK)
    tracker.host_finished(CLOCK, ok("R1"))
    tracker.host_finished(CLOCK, ok("R3"))
    assert tracker.ready() == []
    assert tracker.steps[0].running == ["R2"]
    tracker.host_finished(CLOCK, ok("R2"))
    [done] = tracker.ready()
    assert [r.host for r in done.record().results] == ["R1", "R2", "R3"]  # inventory order


def test_a_host_that_failed_an_earlier_step_is_not_awaited_by_the_later_ones() -> None:
    tracker = pipeline(CLOCK, VERSION)
    tracker.host_finished(CLOCK, failed("R2"))
    for host in ("R1", "R3"):
        tracker.host_finished(CLOCK, ok(host))
        tracker.host_finished(VERSION, ok(host, VERSION))
    assert [e.step for e in tracker.ready()] == [CLOCK, VERSION]


def test_a_later_step_that_completes_first_waits_for_the_earlier_one() -> None:
    tracker = pipeline(CLOCK, VERSION)
    for host in HOSTS:
        tracker.host_finished(VERSION, ok(host, VERSION))
    assert tracker.ready() == []
    for host in HOSTS:
        tracker.host_finished(CLOCK, ok(host))
    assert [e.step for e in tracker.ready()] == [CLOCK, VERSION]


def test_in_lockstep_only_the_executors_record_completes_a_step() -> None:
    tracker = Tracker()
    tracker.play_started("lockstep", 0.0)
    tracker.step_started(PLAY, CLOCK, HOSTS, 0.0)
    for host in HOSTS:
        tracker.host_finished(CLOCK, ok(host))
    assert tracker.ready() == []  # save_to may still change a result
    saved = (ok("R1"), StepResult("R2", "Clock", Status.FAILED, kind="save_to"), ok("R3"))
    tracker.step_finished(CLOCK, StepRecord("Morning", "Clock", saved))
    [done] = tracker.ready()
    assert done.record().results == saved


def test_a_stopped_run_shows_the_steps_it_started_and_drops_the_empty_ones() -> None:
    tracker = pipeline(CLOCK, VERSION)
    tracker.host_finished(CLOCK, ok("R1"))
    flushed = tracker.flush()
    assert [(e.step, len(e.record().results)) for e in flushed] == [(CLOCK, 1)]
    assert tracker.steps == []


def test_the_status_shows_the_first_unfinished_step_and_those_a_host_has_reached() -> None:
    tracker = pipeline(CLOCK, VERSION)
    assert [e.step for e in tracker.active()] == [CLOCK]
    tracker.host_finished(VERSION, ok("R1", VERSION))
    assert [e.step for e in tracker.active()] == [CLOCK, VERSION]


def test_a_pipeline_step_started_when_its_first_host_began_it() -> None:
    tracker = Tracker()
    tracker.play_started("pipeline", 100.0)
    tracker.step_started(PLAY, VERSION, HOSTS, 100.0)
    tracker.host_finished(VERSION, StepResult("R1", "Version", Status.OK, started=2.5))
    tracker.host_finished(VERSION, StepResult("R2", "Version", Status.OK, started=1.5))
    assert tracker.steps[0].began == 101.5


class Recorder:
    """A view that notes what it was asked to show, and on which thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.threads: set[str] = set()
        self.done = threading.Event()

    def _note(self, name: str, value: Any = None) -> None:
        self.threads.add(threading.current_thread().name)
        self.calls.append((name, value))

    def play_started(self, play: Play, hosts: Sequence[Host], strategy: str) -> None:
        self._note("play", strategy)

    def batch_started(self, play: Play, batch: Batch) -> None:
        self._note("batch", batch.label)

    def host_finished(self, entry: StepProgress, result: StepResult) -> None:
        self._note("host", result.host)

    def step_done(self, entry: StepProgress) -> None:
        self._note("step", entry.step.name)
        self.done.set()

    def rollout_stopped(self, stop: RolloutStop, hosts: Sequence[str]) -> None:
        self._note("stopped", tuple(hosts))

    def tick(self, tracker: Tracker) -> None:
        self.threads.add(threading.current_thread().name)

    def recap(self, run: RunResult) -> None:
        self._note("recap")

    def close(self) -> None:
        self._note("close")


def test_events_from_many_threads_reach_the_view_on_the_one_writer_thread() -> None:
    view = Recorder()
    names = [f"H{i:02d}" for i in range(40)]
    with Reporter(view) as reporter:
        reporter.play_started(PLAY, (), "pipeline")
        reporter.step_started(PLAY, CLOCK, names)
        workers = [
            threading.Thread(target=reporter.host_finished, args=(PLAY, CLOCK, ok(name)))
            for name in names
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert view.done.wait(30)  # complete as soon as the last host finished it
        assert ("step", "Clock") in view.calls
        reporter.recap(RunResult("pb.yml", "inv.yml", (), (), 0, 1))
    assert view.threads == {"netplay-console"}
    assert sorted(v for c, v in view.calls if c == "host") == names
    assert [c for c, _ in view.calls][-2:] == ["recap", "close"]


def test_a_failure_in_the_writer_is_raised_when_the_console_closes() -> None:
    class Broken(Recorder):
        def play_started(self, play: Play, hosts: Sequence[Host], strategy: str) -> None:
            raise ValueError("no room on the console")

    with pytest.raises(ValueError, match="no room"), Reporter(Broken()) as reporter:
        reporter.play_started(PLAY, (), "lockstep")
        reporter.step_started(PLAY, CLOCK, HOSTS)  # still taken, never waited for


def test_plain_lines_show_a_pipeline_step_before_the_play_ends() -> None:
    stream = io.StringIO()
    view = PlainView(ConsoleReport(make_console(stream, color=False), Mask.of(["pw-123456"])))
    shown = threading.Event()
    step_done = view.step_done

    def noted(entry: StepProgress) -> None:
        step_done(entry)
        shown.set()

    view.step_done = noted  # type: ignore[method-assign]
    with Reporter(view) as reporter:
        reporter.play_started(PLAY, (), "pipeline")
        for step in (CLOCK, VERSION):
            reporter.step_started(PLAY, step, ("R1", "R2"))
        reporter.host_finished(PLAY, CLOCK, ok("R2"))
        reporter.host_finished(PLAY, CLOCK, failed("R1"))
        assert shown.wait(30)
        printed = stream.getvalue()  # Version still waits for R2; the play goes on
        reporter.host_finished(PLAY, VERSION, ok("R2", VERSION))
    clock = "STEP Clock\n  failed      R1  0.00s  % Invalid input\n  ok          R2  0.00s\n"
    assert printed.endswith(f"{clock}    R2 says hi\n")
    assert stream.getvalue().endswith("STEP Version\n  ok          R2  0.00s\n    R2 says hi\n")


def test_plain_lines_unless_stdout_is_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert not is_live_terminal()
    monkeypatch.setattr("sys.stdout", Tty())
    assert is_live_terminal()
    assert not isinstance(console_reporter(Mask(), quiet=False).view, PlainView)
    assert isinstance(console_reporter(Mask(), quiet=False, progress=False).view, PlainView)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not is_live_terminal()
    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.setenv("TERM", "dumb")
    assert not is_live_terminal()
