"""rollback_on_failure: archiving the running-config before a change and putting it back
when the host then fails — on a small scripted IOS, and through whole runs."""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from engine.configdiff import RunningConfig
from engine.drivers import ConnectionSettings, Driver, Reply
from engine.errors import Location, SessionLost, Unreachable
from engine.executor import Executor, RunSettings
from engine.inventory import Host, Inventory
from engine.model import Play, Playbook, Rollout, Step
from engine.plan import build_plan
from engine.results import RunResult, Status
from engine.rollback import PLATFORMS, ArchiveFailed, Checkpoint, archive_name
from engine.runner import Stop

HERE = Location("test.yml")
BASE = "hostname R1\n!\nntp server 192.0.2.1\n!\nend\n"
FILE = "flash:netplay-rollback-20261201-101500.cfg"


class TinyIOS:
    """A scripted IOS session: a running-config text, config lines appended to it, and the
    `copy running-config FILE` / `configure replace FILE force` pair over a flash: dict."""

    def __init__(self, host: Host, *, refuse: Sequence[str] = (), flash_full: bool = False):
        self.host = host
        self.running = BASE
        self.flash: dict[str, str] = {}
        self.sent: list[str] = []
        self.refuse = refuse
        self.flash_full = flash_full
        self.prompt: str | None = None
        self.dropped = False

    def open(self) -> None:
        self.prompt = f"{self.host.name}#"

    def send(
        self,
        command: str,
        *,
        timeout: float | None = None,
        expect: str | None = None,
        answers: Mapping[str, str] | None = None,
    ) -> Reply:
        self.sent.append(command)
        if self.dropped:
            raise SessionLost(self.host.name, "session closed by the device")
        if command in self.refuse:
            error = "% Invalid input detected at '^' marker."
            return Reply(error, error)
        if command == "show running-config":
            return Reply(f"Building configuration...\n\n{self.running}")
        if command.startswith("copy running-config "):
            return self._copy(command.split()[-1], answers or {})
        if command.startswith("configure replace "):
            return self._replace(command.split()[2])
        return Reply(f"output of {command}")

    def _copy(self, file: str, answers: Mapping[str, str]) -> Reply:
        assert "Destination filename" in answers  # IOS asks first
        if self.flash_full:
            error = f"%Error copying {file} (Not enough space on device)"
            return Reply(error, error)
        self.flash[file] = self.running
        return Reply(f"{len(self.running)} bytes copied in 0.012 secs (9000 bytes/sec)")

    def _replace(self, file: str) -> Reply:
        if file not in self.flash:
            error = f"%Error opening {file} (No such file or directory)"
            return Reply(error, error)
        self.running = self.flash[file]
        return Reply("Total number of passes: 1\nRollback Done\n")

    def configure(
        self, lines: Sequence[str], *, timeout: float | None = None, error_patterns: Any = ()
    ) -> Reply:
        accepted = list(itertools.takewhile(lambda line: line not in self.refuse, lines))
        self.sent.extend(lines[: len(accepted) + 1])
        self.running = self.running.replace("!\nend", "".join(f"{line}\n" for line in accepted))
        self.running += "!\nend\n"
        transcript = "\n".join(f"R1(config)#{line}" for line in lines[: len(accepted) + 1])
        if len(accepted) < len(lines):
            error = "% Invalid input detected at '^' marker."
            return Reply(f"{transcript}\n{error}", error)
        return Reply(transcript)

    def save(self, *, timeout: float | None = None) -> Reply:
        return self.send("write memory")

    def close(self) -> None:
        pass


def device(**keys: Any) -> TinyIOS:
    return TinyIOS(Host("R1", "10.0.0.1"), **keys)


def checkpoint() -> Checkpoint:
    return Checkpoint("R1", PLATFORMS["cisco_ios"], FILE.removeprefix("flash:"))


def restore(point: Checkpoint, ios: Driver, *, reopen: Driver | None = None) -> Any:
    return point.restore(lambda: ios, lambda: reopen or ios, RunningConfig("R1"))


# --- the checkpoint ------------------------------------------------------------------------


def test_an_archive_is_the_running_config_copied_to_flash_once_per_play() -> None:
    ios, point = device(), checkpoint()
    point.take(ios, step="Change")
    ios.running += "logging host 192.0.2.9\n"
    point.take(ios, step="Second change")
    assert ios.sent == [f"copy running-config {FILE}"]
    assert ios.flash == {FILE: BASE}
    assert point.taken and point.step == "Change"


def test_an_archive_the_device_refuses_raises_and_counts_as_not_taken() -> None:
    ios, point = device(flash_full=True), checkpoint()
    with pytest.raises(ArchiveFailed) as caught:
        point.take(ios, step="Change")
    assert caught.value.kind == "rollback"
    assert caught.value.message == (
        "could not archive the running-config before the change: "
        f"%Error copying {FILE} (Not enough space on device)"
    )
    assert not point.taken


def test_a_restore_replaces_the_running_config_and_says_what_it_undid() -> None:
    ios, point = device(), checkpoint()
    point.take(ios, step="Change")
    ios.configure(["logging host 192.0.2.9"])
    rollback = restore(point, ios)
    assert ios.running == BASE
    assert ios.sent[-3:] == [
        "show running-config",
        f"configure replace {FILE} force",
        "show running-config",
    ]
    assert (rollback.ok, rollback.file, rollback.step) == (True, FILE, "Change")
    assert rollback.output == "Total number of passes: 1\nRollback Done"
    assert "-logging host 192.0.2.9" in (rollback.diff or "")
    assert not point.taken  # once: a second failure does not restore again


def test_a_restore_the_device_does_not_confirm_fails_and_names_the_archive() -> None:
    ios, point = device(), checkpoint()
    point.take(ios, step="Change")
    ios.flash.clear()  # someone deleted it
    rollback = restore(point, ios)
    assert not rollback.ok
    assert rollback.error == (
        f"%Error opening {FILE} (No such file or directory); the archive is {FILE} on the device"
    )


def test_a_restore_reconnects_once_when_the_change_dropped_the_session() -> None:
    ios, point = device(), checkpoint()
    point.take(ios, step="Change")
    ios.configure(["interface Gi0/0", " shutdown"])
    dead = device()
    dead.dropped = True
    rollback = point.restore(lambda: dead, lambda: ios, RunningConfig("R1"))
    assert rollback.ok and ios.running == BASE


def test_a_device_out_of_reach_is_a_failed_rollback_not_an_exception() -> None:
    point = checkpoint()
    point.take(device(), step="Change")

    def unreachable() -> Driver:
        raise Unreachable("R1", "connection refused")

    rollback = point.restore(unreachable, unreachable, RunningConfig("R1"))
    assert not rollback.ok
    assert rollback.error == f"connection refused; the archive is {FILE} on the device"


def test_an_archive_is_named_after_when_the_run_started_in_utc() -> None:
    started = calendar.timegm((2026, 12, 1, 10, 15, 0, 0, 0, 0))
    assert archive_name(started + 0.75) == "netplay-rollback-20261201-101500.cfg"


# --- whole runs ----------------------------------------------------------------------------


class Devices:
    """A TinyIOS per host, kept so tests can look at each one afterwards."""

    def __init__(self, **keys: Any) -> None:
        self.keys = keys
        self.made: dict[str, TinyIOS] = {}

    def __call__(self, host: Host, settings: ConnectionSettings) -> TinyIOS:
        ios = TinyIOS(host, **self.keys.get(host.name, {}))
        self.made[host.name] = ios
        return ios


def guarded_play(strategy: str, *after: Step, rollout: Rollout | None = None) -> Playbook:
    change = Step("Change", "config", ("logging host 192.0.2.9",), HERE, rollback_on_failure=True)
    check = Step("Check", "send", ("show logging",), HERE)
    steps = (change, check, *after)
    play = Play("p", ("all",), steps, HERE, strategy=strategy, rollout=rollout or Rollout())  # type: ignore[arg-type]
    return Playbook("test.yml", (play,))


def run(book: Playbook, devices: Devices, **settings: Any) -> RunResult:
    hosts = (Host("R1", "10.0.0.1"), Host("R2", "10.0.0.2"))
    plan = build_plan(book, Inventory("inv.yml", hosts, {}))
    return Executor(plan, RunSettings(**settings), driver_factory=devices).run()


@pytest.mark.parametrize("strategy", ["lockstep", "pipeline"])
def test_a_host_failing_a_later_step_gets_its_running_config_back(strategy: str) -> None:
    devices = Devices(R2={"refuse": ("show logging",)})
    result = run(guarded_play(strategy), devices)
    r1, r2 = result.steps[1].results
    assert r1.status is Status.OK and r1.rollback is None
    assert r2.status is Status.FAILED and r2.rollback is not None and r2.rollback.ok
    assert devices.made["R2"].running == BASE
    assert "logging host 192.0.2.9" in devices.made["R1"].running  # R1 keeps its change
    assert devices.made["R2"].sent[0].startswith("copy running-config flash:netplay-rollback-")
    assert devices.made["R2"].sent[-2].startswith("configure replace flash:netplay-rollback-")
    assert result.exit_code() == 2


def test_an_archive_that_fails_fails_the_step_before_any_line_is_sent() -> None:
    devices = Devices(R1={"flash_full": True})
    result = run(guarded_play("pipeline"), devices)
    r1 = result.steps[0].results[0]
    assert (r1.status, r1.kind, r1.changed) == (Status.FAILED, "rollback", False)
    assert devices.made["R1"].running == BASE
    assert [c for c in devices.made["R1"].sent if not c.startswith("copy")] == []


def test_check_mode_neither_archives_nor_rolls_back() -> None:
    devices = Devices(R2={"refuse": ("show logging",)})
    result = run(guarded_play("lockstep"), devices, check=True)
    assert result.steps[1].results[1].rollback is None
    assert all(not ios.flash for ios in devices.made.values())
    assert not any(c.startswith(("copy", "configure")) for c in devices.made["R2"].sent)


def test_an_ignored_failure_keeps_the_change() -> None:
    ignored = Step("Ignored", "send", ("show nothing",), HERE, ignore_errors=True)
    devices = Devices(R1={"refuse": ("show nothing",)})
    result = run(guarded_play("pipeline", ignored), devices)
    assert result.steps[2].results[0].ignored and result.steps[2].results[0].rollback is None
    assert "logging host 192.0.2.9" in devices.made["R1"].running


def test_the_rollback_is_kept_in_the_results_and_hidden_in_a_no_log_step() -> None:
    devices = Devices(R2={"refuse": ("show logging",)})
    result = run(guarded_play("lockstep"), devices)
    data = result.to_json()["steps"][1]["results"][1]["rollback"]
    assert data["status"] == "ok" and data["step"] == "Change"
    assert data["output"] == "Total number of passes: 1\nRollback Done"
    hidden = result.steps[1].results[1].redacted().rollback
    assert hidden is not None and hidden.output == "<hidden by no_log>"


def test_a_guarded_step_refused_half_way_puts_back_the_lines_it_did_send() -> None:
    two_lines = Step(
        "Change",
        "config",
        ("logging host 192.0.2.9", "logging bogus"),
        HERE,
        rollback_on_failure=True,
    )
    book = Playbook("test.yml", (Play("p", ("R1",), (two_lines,), HERE),))
    devices = Devices(R1={"refuse": ("logging bogus",)})
    [r1] = run(book, devices).steps[0].results
    assert r1.status is Status.FAILED and r1.rollback is not None and r1.rollback.ok
    assert devices.made["R1"].running == BASE


def test_ctrl_c_before_the_rollback_keeps_the_result_and_says_the_rollback_was_not_attempted(
    tmp_path: Path,
) -> None:
    stop = Stop()

    class Interrupting(Devices):
        def __call__(self, host: Host, settings: ConnectionSettings) -> TinyIOS:
            ios = super().__call__(host, settings)
            send = ios.send

            def sending(command: str, **kwargs: Any) -> Reply:
                if command == "show logging":
                    stop.set()  # Ctrl-C while the failing check runs
                return send(command, **kwargs)

            ios.send = sending  # type: ignore[method-assign]
            return ios

    devices = Interrupting(R1={"refuse": ("show logging",)})
    book = guarded_play("lockstep")
    hosts = (Host("R1", "10.0.0.1"),)
    plan = build_plan(book, Inventory("inv.yml", hosts, {}))
    journal = tmp_path / "run.jsonl"
    settings = RunSettings(journal=journal)
    result = Executor(plan, settings, driver_factory=devices, stop=stop).run()
    [check] = result.steps[1].results
    assert result.interrupted and check.status is Status.FAILED
    assert check.rollback is not None and not check.rollback.ok
    assert (check.rollback.error or "").startswith("not attempted: the run was interrupted; ")
    assert "logging host 192.0.2.9" in devices.made["R1"].running
    assert '"rollback"' in journal.read_text().splitlines()[-1]


def test_an_ensure_with_nothing_to_send_archives_nothing() -> None:
    present = Step("Present", "ensure", ("ntp server 192.0.2.1",), HERE, rollback_on_failure=True)
    failing = Step("Check", "send", ("show logging",), HERE)
    book = Playbook("test.yml", (Play("p", ("R1",), (present, failing), HERE),))
    devices = Devices(R1={"refuse": ("show logging",)})
    result = run(book, devices)
    assert result.steps[0].results[0].changed is False
    assert result.steps[1].results[0].rollback is None
    assert not any(c.startswith(("copy", "configure")) for c in devices.made["R1"].sent)


def test_a_failure_in_a_later_play_keeps_the_change_of_an_earlier_one() -> None:
    change, check = guarded_play("pipeline").plays[0].steps
    later = Play("later", ("R1",), (check,), HERE)
    book = Playbook("test.yml", (Play("first", ("R1",), (change,), HERE), later))
    devices = Devices(R1={"refuse": ("show logging",)})
    result = run(book, devices)
    assert result.steps[1].results[0].status is Status.FAILED
    assert result.steps[1].results[0].rollback is None
    assert "logging host 192.0.2.9" in devices.made["R1"].running
