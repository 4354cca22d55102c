"""`save_to` over replayed devices: every output of a step reaches the file, headed."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.drivers import ConnectionSettings
from engine.drivers.replay import ReplayDriver, Script
from engine.errors import Location
from engine.executor import Executor, RunSettings
from engine.inventory import Host, Inventory
from engine.model import Play, Playbook, Step
from engine.plan import build_plan
from engine.results import Status

HERE = Location("test.yml")


def replay(host: Host, settings: ConnectionSettings) -> ReplayDriver:
    return ReplayDriver(host, settings, Script({"write memory": "[OK]"}))


@pytest.mark.parametrize("loop", [None, ["10", "20"]], ids=["one session", "a loop"])
def test_a_saved_config_step_writes_each_session_and_the_save_to_the_file(
    loop: list[str] | None, tmp_path: Path
) -> None:
    step = Step(
        name="cfg",
        action="config",
        commands=("vlan {{ item | default(1) }}",),
        location=HERE,
        loop=loop,
        save=True,
        save_to="cfg.txt",
    )
    book = Playbook("test.yml", (Play("p", ("all",), (step,), HERE),))
    inventory = Inventory("inv.yml", (Host("R1", "a"),), {})
    settings = RunSettings(output_dir=tmp_path)
    result = Executor(build_plan(book, inventory), settings, driver_factory=replay).run()
    assert result.steps[0].results[0].status is Status.OK
    text = (tmp_path / "cfg.txt").read_text()
    sessions = 1 if loop is None else 2
    assert text.count("R1#configure terminal") == sessions
    assert text.rstrip().endswith("R1#write memory\n[OK]".rstrip())


def test_a_symlink_planted_at_the_save_to_name_fails_the_host_and_leaves_its_target_alone(
    tmp_path: Path,
) -> None:
    (tmp_path / "keep.yml").write_text("kept\n")
    (tmp_path / "saved.txt").symlink_to("keep.yml")
    step = Step("clock", "send", ("show clock",), HERE, save_to="saved.txt")
    book = Playbook("test.yml", (Play("p", ("all",), (step,), HERE),))
    inventory = Inventory("inv.yml", (Host("R1", "a"),), {})
    settings = RunSettings(output_dir=tmp_path)
    result = Executor(build_plan(book, inventory), settings, driver_factory=replay).run()
    [r1] = result.steps[0].results
    assert (r1.status, r1.kind) == (Status.FAILED, "save_to")
    assert r1.error == (
        "save_to: save_to path 'saved.txt' is a symbolic link; netplay never writes through one"
    )
    assert (tmp_path / "keep.yml").read_text() == "kept\n"
